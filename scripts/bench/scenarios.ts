// One warm request per function (and per rotation form), wired as production wires it except for
// the transport under the SDK, plus the bare work that request cannot avoid ("baseline"): the same
// DynamoDB calls with the same inputs, through the same client and stub, and the cryptography the
// contract demands (HS256 verification of an admin JWT, signing one, argon2id). Load child-env.ts
// before this module.
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SignJWT, jwtVerify } from 'jose';
import { createApp, type App } from '../../lib/wiring/app.ts';
import { loadConfig } from '../../lib/runtime/config.ts';
import { hashPassword } from '../../lib/admin/password.ts';
import { KeySetCache, singleKeySet } from '../../lib/admin/signing-key.ts';
import { systemClock } from '../../lib/runtime/clock.ts';
import { handlersFor, lambdaContext } from '../../test/support/wiring.ts';
import { realArgon2, standInArgon2, useArgon2StandIn } from './child-env.ts';
import { StubTransport, stubbedDocumentClient, type CannedResponses } from './stub.ts';

export type Argon2Mode = 'none' | 'real' | 'stand-in';

export interface Scenario {
  /** Row label: the function, and the variant when a function has several. */
  readonly name: string;
  /** The function of serverless.yml. */
  readonly fn: string;
  /** argon2id derivations per request (hash or verify). */
  readonly argon2PerRequest: number;
  /** `real`: argon2id in both the request and its baseline; `stand-in`: the stand-in in both. */
  readonly argon2: Argon2Mode;
  /** Whether the baseline includes an HS256 verification (admin JWT) or signature (issued JWT). */
  readonly jwt: 'verify' | 'sign' | 'none';
  /** DynamoDB HTTP requests one invocation makes (checked on every run). */
  readonly sdkCalls: number;
  /** One warm invocation of the handler; throws unless it answered the success it should. */
  invoke(): Promise<void>;
  /** The bare work of that request: its SDK calls (same inputs, same stub) and its necessary crypto. */
  baseline(): Promise<void>;
  /** Points the stub at this scenario's canned answers and the argon2 switch at its mode. */
  activate(): void;
  /** HTTP requests the stub answered so far. */
  requests(): number;
}

const TABLE = process.env.TABLE_NAME!;
const PASSWORD = 'Str0ng!Passw0rd';
const NEW_PASSWORD = 'N3w!Passw0rd#x';
const EMAIL = 'ada@acme-corp.com';
const ACCOUNT_KEY = { pk: 'ACCOUNT' };
const PROJECTION = 'companyId, serviceTokens, tokenRevision';
const argon2 = { real: promisify(realArgon2), 'stand-in': promisify(standInArgon2) };
const digest = (token: string) => hash('sha256', token, 'base64url');

/** DynamoDB JSON of a plain object (strings, numbers, booleans, lists, maps). */
function marshall(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  if (value && typeof value === 'object') {
    return { M: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marshall(v)])) };
  }
  throw new Error(`cannot marshall ${String(value)}`);
}
const item = (value: Record<string, unknown>) => ({ Item: (marshall(value) as { M: unknown }).M });

const context = lambdaContext();

/** What API Gateway (HTTP API, payload 2.0) hands the function, with its usual headers. */
function httpEvent(method: string, path: string, authorization: string | undefined, body?: unknown): Record<string, unknown> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'accept-encoding': 'gzip, deflate, br',
      ...(authorization ? { authorization } : {}),
      ...(text ? { 'content-length': String(Buffer.byteLength(text)), 'content-type': 'application/json' } : {}),
      host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-67a0c0de-0123456789abcdef01234567',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      requestId: 'Bench1234567=',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '27/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795773600000,
    },
    ...(text ? { body: text } : {}),
    isBase64Encoded: false,
  };
}

/** A REQUEST authorizer event (payload 2.0) for a service-level route. */
function authorizerEvent(token: string): Record<string, unknown> {
  const event = httpEvent('GET', '/api/v2/service-token', `Bearer ${token}`);
  return {
    ...event,
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/$default/GET/api/v2/service-token',
    identitySource: [`Bearer ${token}`],
  };
}

function expectOk(what: string, result: { statusCode: number; body: string }): void {
  if (result.statusCode !== 200) throw new Error(`${what} answered ${result.statusCode}: ${result.body}`);
}

export interface Wiring {
  readonly app: App;
  readonly db: DynamoDBDocumentClient;
  readonly transport: StubTransport;
  readonly secret: Uint8Array;
}

/** The production App (production Logger at INFO, system clock, Joi config) on the stub transport. */
export function wire(): Wiring {
  const transport = new StubTransport();
  const secret = new Uint8Array(randomBytes(32));
  const db = stubbedDocumentClient(transport);
  const app = createApp(loadConfig(process.env), { db, signingKeys: new KeySetCache(async () => singleKeySet(secret, 'bench'), systemClock) });
  return { app, db, transport, secret };
}

/**
 * Every scenario; those of the password functions twice: with argon2id (`real`) and with the
 * argon2 stand-in in both the request and its baseline (`stand-in`), so that the ratio of the rest
 * of the request is not drowned by argon2id.
 */
export async function scenarios({ app, db, transport, secret }: Wiring): Promise<Scenario[]> {
  const now = Date.now();
  const current = randomUUID();
  const retiredToken = randomUUID();
  const companyId = randomUUID();
  const adminId = randomUUID();
  // The current token's use was recorded a minute ago (fresh: the authorizer only reads); `stale`
  // is the same set with that use 10 minutes old (the authorizer also records it).
  const tokenSet = (lastUsedAt: number) => ({
    current: { id: 'st_k3v7q2m5x4b6n3p2', digest: digest(current), createdAt: now - 3_600_000, lastUsedAt },
    retired: [{ id: 'st_a2c4e6g7j3l5n7q2', digest: digest(retiredToken), createdAt: now - 7_200_000, expiresAt: now + 3_600_000 }],
  });
  const tokens = tokenSet(now - 60_000);
  const account = (passwordHash: string) => ({
    ...ACCOUNT_KEY,
    companyId,
    companyName: 'Acme',
    adminId,
    email: EMAIL,
    firstName: 'Ada',
    passwordHash,
    credentialVersion: 1,
    createdAt: new Date(now - 86_400_000).toISOString(),
    serviceTokens: tokens,
    tokenRevision: 2,
  });
  // Read when the scenario is activated: "a minute ago" stays fresh however long the bench runs.
  const projected = () => item({ companyId, serviceTokens: tokenSet(Date.now() - 60_000), tokenRevision: 2 });
  const projectedStale = item({ companyId, serviceTokens: tokenSet(now - 600_000), tokenRevision: 2 });
  const jwt = await app.jwt.issue({ adminId, companyId, credentialVersion: 1 });
  const { issuer, audience, ttlSeconds } = app.config.jwt;

  useArgon2StandIn(false);
  const realHash = await hashPassword(PASSWORD);
  useArgon2StandIn(true);
  const standInHash = await hashPassword(PASSWORD);
  useArgon2StandIn(false);

  const handlers = handlersFor(app);

  // The necessary cryptography, bare.
  const verifyJwt = () => jwtVerify(jwt, secret, {
    algorithms: ['HS256'], issuer, audience, clockTolerance: 5, requiredClaims: ['exp', 'iat', 'jti', 'sub'],
  });
  const signJwt = () => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ companyId, role: 'admin', cv: 1 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'bench' })
      .setIssuer(issuer).setAudience(audience).setSubject(adminId).setIssuedAt(iat).setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID()).sign(secret);
  };
  // The audit line the contract requires of every credential event (docs/operations.md, "Audit
  // trail"): one JSON line to stdout, written as barely as it can be. Like the JWT work above it is
  // part of the request's necessary work, so the baselines of the routes that record an event write
  // one too; what the ratio then measures is the cost of how the handler builds and writes it.
  // It holds what the contract asks of the line (time, outcome, actor, company, the token ids
  // involved, source with client address and user agent, the Lambda and API Gateway request ids)
  // and, for the events the operations issue counts, the count in embedded metric format.
  const CLOUDWATCH_METRICS = (name: string) => [{ Namespace: 'databrain-admin-api', Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] }];
  const auditLine = (event: string, tokenIds?: string[], metric?: string) => {
    const now = new Date().toISOString();
    const line: Record<string, unknown> = {
      level: 'INFO', message: 'audit', timestamp: now, service: 'databrain-admin-api',
      _aws: metric && { Timestamp: Date.now(), CloudWatchMetrics: CLOUDWATCH_METRICS(metric) },
      audit: event, time: now, outcome: 'success', actor: `admin:${adminId}`, companyId, tokenIds,
      source: 'http', clientAddress: '203.0.113.7', userAgent: 'bench', function_request_id: context.awsRequestId, gatewayRequestId: 'Bench1234567=',
    };
    if (metric) line[metric] = 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  // argon2id with the parameters lib/admin/password.ts uses; in `stand-in` mode the same stand-in
  // the handler then gets, so that both sides of that ratio carry the same (tiny) cost.
  const bareArgon2 = (mode: 'real' | 'stand-in') => async () => {
    await argon2[mode]('argon2id', { message: PASSWORD, nonce: randomBytes(16), memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 });
  };

  // The bare SDK calls, with the inputs the *.store.ts files send.
  const readAccount = () => db.send(new GetCommand({ TableName: TABLE, Key: ACCOUNT_KEY, ConsistentRead: true }));
  const readTokens = () => db.send(new GetCommand({ TableName: TABLE, Key: ACCOUNT_KEY, ConsistentRead: true, ProjectionExpression: PROJECTION }));
  const writeTokens = (conditionExpression: string, values: Record<string, unknown>, names?: Record<string, string>) =>
    db.send(new UpdateCommand({
      TableName: TABLE,
      Key: ACCOUNT_KEY,
      UpdateExpression: names ? 'SET serviceTokens = :tokens, tokenRevision = if_not_exists(tokenRevision, :zero) + :one'
        : 'SET serviceTokens = :tokens, tokenRevision = :next',
      ConditionExpression: conditionExpression,
      ...(names ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }));
  const upsert = (token: string) => writeTokens(
    'companyId = :companyId AND (attribute_not_exists(serviceTokens) OR attribute_not_exists(serviceTokens.#current) ' +
    'OR serviceTokens.#current.digest <> :digest OR size(serviceTokens.retired) > :zero)',
    { ':companyId': companyId, ':tokens': { current: { id: 'st_b3d5f7h2k4m6p3r5', digest: digest(token), createdAt: Date.now() }, retired: [] },
      ':digest': digest(token), ':zero': 0, ':one': 1 },
    { '#current': 'current' },
  );
  const rotateWrite = () => writeTokens('companyId = :companyId AND tokenRevision = :seen', {
    ':companyId': companyId,
    ':tokens': {
      current: { id: 'st_b3d5f7h2k4m6p3r5', digest: digest(randomUUID()), createdAt: Date.now() },
      retired: [{ ...tokens.current, lastUsedAt: Date.now(), expiresAt: Date.now() + 300_000 }, ...tokens.retired],
    },
    ':next': 3,
    ':seen': 2,
  });
  const revokeWrite = (tokenSet: Record<string, unknown>) => writeTokens('companyId = :companyId AND tokenRevision = :seen', {
    ':companyId': companyId, ':tokens': tokenSet, ':next': 3, ':seen': 2,
  });
  const recordUse = () => db.send(new UpdateCommand({
    TableName: TABLE,
    Key: ACCOUNT_KEY,
    UpdateExpression: 'SET serviceTokens.#current.lastUsedAt = :now, serviceTokens.#current.id = if_not_exists(serviceTokens.#current.id, :id)',
    ConditionExpression: 'serviceTokens.#current.digest = :digest AND (attribute_not_exists(serviceTokens.#current.lastUsedAt) OR serviceTokens.#current.lastUsedAt <= :staleBefore)',
    ExpressionAttributeNames: { '#current': 'current' },
    ExpressionAttributeValues: { ':digest': digest(current), ':id': tokens.current.id, ':now': Date.now(), ':staleBefore': Date.now() - 300_000 },
  }));
  const subject = hash('sha256', `${EMAIL}\n203.0.113.10`, 'base64url');
  const emailSubject = `EMAIL#${hash('sha256', EMAIL, 'base64url')}`;
  const reserveAttempt = (pk: string, max: number) => db.send(new UpdateCommand({
    TableName: TABLE,
    Key: { pk },
    UpdateExpression: 'ADD attempts :one SET windowEndsAt = if_not_exists(windowEndsAt, :end), expiresAt = if_not_exists(expiresAt, :ttl)',
    ConditionExpression: 'attribute_not_exists(pk) OR (windowEndsAt > :now AND attempts < :max)',
    ExpressionAttributeValues: { ':one': 1, ':end': Date.now() + 900_000, ':ttl': Math.ceil(Date.now() / 1000) + 960, ':now': Date.now(), ':max': max },
    ReturnValues: 'UPDATED_NEW',
  }));
  // The per-address reservation, then the per-email ceiling's (lib/admin/attempts.store.ts).
  const reserve = async () => {
    await reserveAttempt(`SIGNIN#${subject}`, 5);
    await reserveAttempt(`SIGNIN#${emailSubject}`, 50);
  };
  const clear = () => db.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `SIGNIN#${subject}` } }));
  // A success gives its reservation back to the email's ceiling: one conditional delete when it is the only one.
  const releaseEmail = () => db.send(new DeleteCommand({
    TableName: TABLE,
    Key: { pk: `SIGNIN#${emailSubject}` },
    ConditionExpression: 'windowEndsAt = :window AND attempts = :one',
    ExpressionAttributeValues: { ':window': Date.now() + 900_000, ':one': 1 },
  }));
  const reserveReset = () => reserveAttempt(`RESET#${adminId}`, 5);
  const clearReset = () => db.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `RESET#${adminId}` } }));
  const putAccount = (hash: string) => db.send(new PutCommand({
    TableName: TABLE,
    Item: { ...account(hash), serviceTokens: undefined, tokenRevision: undefined, companyId: randomUUID(), adminId: randomUUID() },
    ConditionExpression: 'attribute_not_exists(pk)',
  }));
  const changePassword = (hash: string) => db.send(new UpdateCommand({
    TableName: TABLE,
    Key: ACCOUNT_KEY,
    UpdateExpression: 'SET passwordHash = :hash, credentialVersion = :next',
    ConditionExpression: 'adminId = :adminId AND credentialVersion = :seen',
    ExpressionAttributeValues: { ':adminId': adminId, ':seen': 1, ':next': 2, ':hash': hash },
  }));

  const adminBearer = `Bearer ${jwt}`;
  const list: Scenario[] = [];
  const add = (s: Omit<Scenario, 'activate' | 'requests'> & { responses: CannedResponses | (() => CannedResponses) }) => {
    const { responses, ...rest } = s;
    list.push({
      ...rest,
      activate() {
        transport.answer(typeof responses === 'function' ? responses() : responses);
        useArgon2StandIn(s.argon2 === 'stand-in');
      },
      requests: () => transport.requests,
    });
  };

  const authorizerEv = authorizerEvent(current);
  add({
    name: 'serviceTokenAuthorizer', fn: 'serviceTokenAuthorizer', argon2PerRequest: 0, argon2: 'none', jwt: 'none', sdkCalls: 1,
    responses: () => ({ GetItem: projected() }),
    async invoke() {
      const result = await handlers.serviceTokenAuthorizer(authorizerEv);
      if (!result.isAuthorized) throw new Error('authorizer denied the current token');
    },
    async baseline() {
      await readTokens();
    },
  });
  // At most once per token per 5 minutes: the use is recorded, by a second call.
  add({
    name: 'serviceTokenAuthorizer (lastUsedAt stale)', fn: 'serviceTokenAuthorizer', argon2PerRequest: 0, argon2: 'none', jwt: 'none', sdkCalls: 2,
    responses: { GetItem: projectedStale, UpdateItem: {} },
    async invoke() {
      const result = await handlers.serviceTokenAuthorizer(authorizerEv);
      if (!result.isAuthorized) throw new Error('authorizer denied the current token');
    },
    async baseline() {
      await readTokens();
      await recordUse();
    },
  });
  const introspectEv = httpEvent('GET', '/api/v2/service-token', `Bearer ${current}`);
  add({
    name: 'getServiceToken', fn: 'getServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'none', sdkCalls: 1,
    responses: () => ({ GetItem: projected() }),
    async invoke() {
      expectOk('getServiceToken', await handlers.getServiceToken(introspectEv, context));
    },
    async baseline() {
      await readTokens();
    },
  });
  const createEv = httpEvent('POST', '/api/v2/service-token', adminBearer, { token: current });
  add({
    name: 'createServiceToken', fn: 'createServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'verify', sdkCalls: 2,
    responses: { GetItem: item(account(realHash)), UpdateItem: {} },
    async invoke() {
      expectOk('createServiceToken', await handlers.createServiceToken(createEv, context));
    },
    async baseline() {
      await verifyJwt();
      await readAccount();
      await upsert(current);
      auditLine('service_token.created', ['st_b3d5f7h2k4m6p3r5'], 'ServiceTokenCreated');
    },
  });
  const rotateByTokenEv = httpEvent('POST', '/api/v2/service-token/rotate', `Bearer ${current}`, { expireAt: 300 });
  add({
    name: 'rotateServiceToken (b: service token)', fn: 'rotateServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'none', sdkCalls: 2,
    responses: () => ({ GetItem: projected(), UpdateItem: {} }),
    async invoke() {
      expectOk('rotate (b)', await handlers.rotateServiceToken(rotateByTokenEv, context));
    },
    async baseline() {
      await readTokens();
      await rotateWrite();
      auditLine('service_token.rotated', [tokens.current.id, 'st_b3d5f7h2k4m6p3r5'], 'ServiceTokenRotated');
    },
  });
  const rotateByAdminEv = httpEvent('POST', '/api/v2/service-token/rotate', adminBearer, { token: current, expireAt: 0 });
  add({
    name: 'rotateServiceToken (a: admin JWT)', fn: 'rotateServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'verify', sdkCalls: 2,
    responses: { GetItem: item(account(realHash)), UpdateItem: {} },
    async invoke() {
      expectOk('rotate (a)', await handlers.rotateServiceToken(rotateByAdminEv, context));
    },
    async baseline() {
      await verifyJwt();
      await readAccount();
      await rotateWrite();
      auditLine('service_token.rotated', [tokens.current.id, 'st_b3d5f7h2k4m6p3r5'], 'ServiceTokenRotated');
    },
  });

  const listEv = httpEvent('GET', '/api/v2/service-tokens', adminBearer);
  add({
    name: 'listServiceTokens', fn: 'listServiceTokens', argon2PerRequest: 0, argon2: 'none', jwt: 'verify', sdkCalls: 1,
    responses: { GetItem: item(account(realHash)) },
    async invoke() {
      expectOk('listServiceTokens', await handlers.listServiceTokens(listEv, context));
    },
    async baseline() {
      await verifyJwt();
      await readAccount();
    },
  });
  // Form a: the token in grace, by id (the canned set never changes: every request revokes it).
  const revokeByAdminEv = httpEvent('POST', '/api/v2/service-token/revoke', adminBearer, { id: tokens.retired[0]!.id });
  add({
    name: 'revokeServiceToken (a: admin JWT)', fn: 'revokeServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'verify', sdkCalls: 2,
    responses: { GetItem: item(account(realHash)), UpdateItem: {} },
    async invoke() {
      expectOk('revoke (a)', await handlers.revokeServiceToken(revokeByAdminEv, context));
    },
    async baseline() {
      await verifyJwt();
      await readAccount();
      await revokeWrite({ current: tokens.current, retired: [{ ...tokens.retired[0]!, expiresAt: Date.now() }] });
      auditLine('service_token.revoked', [tokens.retired[0]!.id], 'ServiceTokenRevoked');
    },
  });
  // Form b: every token in grace, on the word of the current token (whose use this write records).
  const revokeByTokenEv = httpEvent('POST', '/api/v2/service-token/revoke', `Bearer ${current}`, {});
  add({
    name: 'revokeServiceToken (b: service token)', fn: 'revokeServiceToken', argon2PerRequest: 0, argon2: 'none', jwt: 'none', sdkCalls: 2,
    responses: () => ({ GetItem: projected(), UpdateItem: {} }),
    async invoke() {
      expectOk('revoke (b)', await handlers.revokeServiceToken(revokeByTokenEv, context));
    },
    async baseline() {
      await readTokens();
      await revokeWrite({ current: { ...tokens.current, lastUsedAt: Date.now() }, retired: [{ ...tokens.retired[0]!, expiresAt: Date.now() }] });
      auditLine('service_token.revoked', [tokens.retired[0]!.id], 'ServiceTokenRevoked');
    },
  });

  for (const mode of ['real', 'stand-in'] as const) {
    const hash = mode === 'real' ? realHash : standInHash;
    const derive = bareArgon2(mode);
    const suffix = mode === 'real' ? '' : ' [argon2 stand-in]';
    const signInEv = httpEvent('POST', '/api/v2/admin-account/jwt', undefined, { email: EMAIL, password: PASSWORD });
    add({
      name: `createAdminJwt${suffix}`, fn: 'createAdminJwt', argon2PerRequest: 1, argon2: mode, jwt: 'sign', sdkCalls: 5,
      responses: { UpdateItem: {}, GetItem: item(account(hash)), DeleteItem: {} },
      async invoke() {
        expectOk('sign-in', await handlers.createAdminJwt(signInEv, context));
      },
      async baseline() {
        await Promise.all([reserve(), readAccount()]);
        await derive();
        await Promise.all([clear(), releaseEmail()]);
        auditLine('signin.succeeded');
        await signJwt();
      },
    });
    const signUpEv = httpEvent('POST', '/api/v2/admin-account', undefined, { firstName: 'Ada', email: EMAIL, password: PASSWORD, companyName: 'Acme' });
    add({
      name: `createAdminAccount${suffix}`, fn: 'createAdminAccount', argon2PerRequest: 1, argon2: mode, jwt: 'sign', sdkCalls: 2,
      responses: { GetItem: {}, PutItem: {} },
      async invoke() {
        expectOk('sign-up', await handlers.createAdminAccount(signUpEv, context));
      },
      async baseline() {
        await readAccount();
        await derive();
        await putAccount(hash);
        auditLine('account.created');
        await signJwt();
      },
    });
    const resetEv = httpEvent('POST', '/api/v2/service-token/reset-password', adminBearer, { currentPassword: PASSWORD, password: NEW_PASSWORD });
    add({
      name: `resetAdminPassword${suffix}`, fn: 'resetAdminPassword', argon2PerRequest: 2, argon2: mode, jwt: 'verify', sdkCalls: 4,
      responses: { GetItem: item(account(hash)), UpdateItem: {}, DeleteItem: {} },
      async invoke() {
        expectOk('reset', await handlers.resetAdminPassword(resetEv, context));
      },
      async baseline() {
        await verifyJwt();
        await readAccount();
        await reserveReset();
        await derive();
        await Promise.all([derive(), clearReset()]);
        await changePassword(hash);
        auditLine('password.reset', undefined, 'PasswordReset');
      },
    });
  }
  return list;
}
