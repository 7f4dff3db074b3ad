import { randomBytes, randomUUID } from 'node:crypto';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ensureTable, startDynalite, type LocalEngine } from '../../scripts/dynamodb.ts';
import { KeySetCache, singleKeySet } from '../../lib/admin/signing-key.ts';
import { createApp } from '../../lib/wiring/app.ts';
import { loadConfig } from '../../lib/runtime/config.ts';
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';
import { ADMIN, ManualClock, PATHS, bearer, call, invoke, type Answer } from '../support/harness.ts';
import { pointSdkAt, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';
import { handlersFor, type Handlers } from '../support/wiring.ts';
import { authorizerEvent, LIFECYCLE_PATHS } from '../support/lifecycle.ts';
import { captureOutput } from '../support/proof.ts';
import {
  FUNCTIONS,
  effectiveTemplate,
  functionLogicalId,
  list,
  loadTemplate,
  resource,
  resourcesOfType,
  SETUP_CODE_SECRET,
  usesTable,
  type Template,
} from './template.ts';

/*
 * Item-level least privilege, proven rather than read: every handler runs through a realistic flow
 * against a real engine (dynalite), and every DynamoDB call it sends is recorded with the item it
 * touches. Then an IAM policy simulator evaluates each function's role, as the prod template
 * defines it, for those calls (each must be allowed) and for every other item action on every item
 * kind (each must be denied). Nothing here lists what a function may do: the code says it.
 */

const template: Template = effectiveTemplate(loadTemplate('prod'));

const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
const TABLE_NAME = 'databrain-admin-api-prod';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${TABLE_NAME}`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:databrain-admin-api-prod-JwtSecret-AbCdEf`;
/** The setup code secret as deployed (claimMode setupCode, the prod default): its name, and AWS's suffix. */
const SETUP_CODE_NAME = 'databrain-admin-api/prod/setup-code';
const SETUP_CODE_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${SETUP_CODE_NAME}-AbCdEf`;

/** One DynamoDB request a function sent: `dynamodb:<operation>` and the partition key it names. */
interface RecordedCall {
  readonly fn: string;
  readonly action: string;
  readonly table: string;
  readonly pk: string | undefined;
}

/** Every single-item and multi-item DynamoDB data action: the ones a role is checked against. */
const ITEM_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'BatchGetItem', 'BatchWriteItem', 'Query'].map(
  (action) => `dynamodb:${action}`,
);

/** `ACCOUNT`, `SIGNIN#<digest>` -> `SIGNIN#`: what kind of item a partition key names (lib/aws/table.ts). */
const keyKind = (pk: string): string => (pk.includes('#') ? pk.slice(0, pk.indexOf('#') + 1) : pk);

const partitionKey = (key: unknown): string | undefined => {
  const pk = (key as { pk?: unknown } | undefined)?.pk;
  if (typeof pk === 'string') return pk;
  return (pk as { S?: string } | undefined)?.S;
};

// ---------------------------------------------------------------------------------------------
// The recording run.

let engine: LocalEngine;
const calls: RecordedCall[] = [];
let running: string | undefined;
/** The Secrets Manager engine createAdminAccount reads the setup code from, and the calls each function made to it. */
let secrets: SecretsManagerEngine;
let restoreSdk: () => void;
let setupCodeArn: string;
const secretCalls: { fn: string; action: string; secretId: string }[] = [];

/** Runs `fn`'s handler with every DynamoDB and Secrets Manager call it makes recorded under its name. */
async function as<T>(fn: keyof Handlers, action: (handlers: Handlers) => Promise<T>): Promise<T> {
  running = fn;
  const seen = secrets.calls.length;
  try {
    return await action(handlers);
  } finally {
    running = undefined;
    for (const { operation, input } of secrets.calls.slice(seen)) secretCalls.push({ fn, action: `secretsmanager:${operation}`, secretId: input.SecretId });
  }
}

let handlers: Handlers;
/** What sign-in logged (at INFO, the default level) while it answered the lock-out. */
let lockOutLog = '';
/** What it logged for the failed and the successful sign-ins around it. */
let otherSignInLog = '';

const expectStatus = (answer: Answer, status: number): Answer => {
  if (answer.statusCode !== status) throw new Error(`expected ${status}, got ${answer.statusCode} ${answer.raw}`);
  return answer;
};

beforeAll(async () => {
  engine = await startDynalite({ port: 0 });
  await ensureTable(engine.endpoint, TABLE_NAME);
  secrets = await startSecretsManager({ region: REGION, accountId: ACCOUNT_ID });
  restoreSdk = pointSdkAt(secrets);
  const setupCode = 'k2Jq8vWm4Xr7Tz1Nc5Hb9Lf3Pd6Gs0Ay2Ue8Oi4R';
  setupCodeArn = secrets.create(SETUP_CODE_NAME, setupCode).arn;
  // As the prod template configures createAdminAccount: claimMode setupCode, the code read by ARN.
  const config = loadConfig({
    TABLE_NAME, DYNAMODB_ENDPOINT: engine.endpoint, JWT_SECRET_FILE: '/not/used', AWS_REGION: REGION,
    CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: setupCodeArn,
  });
  const db = createDocumentClient(config);
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; Key?: unknown; Item?: unknown };
      if (running === undefined) throw new Error(`a DynamoDB call outside any function: ${context.commandName}`);
      calls.push({
        fn: running,
        action: `dynamodb:${String(context.commandName).replace(/Command$/, '')}`,
        table: input.TableName ?? '',
        pk: partitionKey(input.Key ?? input.Item),
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordItemAccess' },
  );
  const clock = new ManualClock();
  const secret = new Uint8Array(randomBytes(32));
  const app = createApp(config, { db, clock, signingKeys: new KeySetCache(async () => singleKeySet(secret, 'item-access'), clock), logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'INFO' }) });
  handlers = handlersFor(app);

  // The flow: every route, its success and the failures that take another path through the stores.
  // The functions log at INFO (the default) to show what sign-in writes: nothing is printed.
  await captureOutput(async () => {
    const signUp = (body: Record<string, unknown>, headers: Record<string, string> = { 'x-setup-code': setupCode }) =>
      as('createAdminAccount', (h) => call(h.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body, headers }));
    // Without the code (refused before any read), with a wrong one (the secret read), then the claim.
    expectStatus(await signUp(ADMIN, {}), 403);
    expectStatus(await signUp(ADMIN, { 'x-setup-code': 'wrong' }), 403);
    expectStatus(await signUp(ADMIN), 200);
    expectStatus(await signUp(ADMIN), 400);

    const signIn = (password: string) =>
      as('createAdminJwt', (h) => call(h.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email: ADMIN.email, password } }));
    // Failures until locked out (reserve: update; then refused: update fails, get), a new window after
    // it ends (update fails, get, put), and a success that clears the counter (delete).
    const { output, result: jwt } = await captureOutput(async () => {
      for (let attempt = 0; attempt < 5; attempt++) expectStatus(await signIn('Wr0ng!Passw0rd'), 400);
      const locked = await captureOutput(async () => expectStatus(await signIn('Wr0ng!Passw0rd'), 429));
      lockOutLog = locked.output;
      clock.advance(16 * 60_000);
      expectStatus(await signIn('Wr0ng!Passw0rd'), 400);
      return expectStatus(await signIn(ADMIN.password), 200).body.data.accessToken as string;
    });
    otherSignInLog = output;
    if (lockOutLog === '' || otherSignInLog === '') throw new Error('sign-in logged nothing at INFO');

    const token = randomUUID();
    const admin = { headers: bearer(jwt) };
    expectStatus(await as('createServiceToken', (h) => call(h.createServiceToken, 'http-api', { path: PATHS.serviceToken, ...admin, body: { token } })), 200);
    // Rotation by the admin (form a), then by the service token itself (form b).
    const expireAt = 3600; // grace seconds of the rotated-out token
    const rotated = expectStatus(
      await as('rotateServiceToken', (h) => call(h.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, ...admin, body: { token, expireAt } })),
      200,
    ).body.key as string;
    const current = expectStatus(
      await as('rotateServiceToken', (h) => call(h.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, headers: bearer(rotated), body: { expireAt } })),
      200,
    ).body.key as string;

    expectStatus(await as('getServiceToken', (h) => call(h.getServiceToken, 'http-api', { method: 'GET', path: LIFECYCLE_PATHS.introspect, headers: bearer(current) })), 200);
    // Past the 5 minutes after which a use is recorded again: the authorizer's record (update).
    clock.advance(6 * 60_000);
    const allowed = await as('serviceTokenAuthorizer', (h) => h.serviceTokenAuthorizer(authorizerEvent({ authorization: `Bearer ${current}` })));
    const denied = await as('serviceTokenAuthorizer', (h) => h.serviceTokenAuthorizer(authorizerEvent({ authorization: `Bearer ${randomUUID()}` })));
    if (!allowed.isAuthorized || denied.isAuthorized) throw new Error('the authorizer did not decide as expected');

    // The listing (read), then both revocations: form (b) ends the grace of the token rotated out
    // above; form (a) revokes the current one by id.
    const listed = expectStatus(await as('listServiceTokens', (h) => call(h.listServiceTokens, 'http-api', { method: 'GET', path: '/api/v2/service-tokens', ...admin })), 200);
    const currentId = (listed.body.data as { id: string; status: string }[]).find((t) => t.status === 'current')!.id;
    expectStatus(await as('revokeServiceToken', (h) => call(h.revokeServiceToken, 'http-api', { path: '/api/v2/service-token/revoke', headers: bearer(current), body: {} })), 200);
    expectStatus(await as('revokeServiceToken', (h) => call(h.revokeServiceToken, 'http-api', { path: '/api/v2/service-token/revoke', ...admin, body: { id: currentId } })), 200);

    // Wrong current passwords first (refused), then the change.
    const reset = (currentPassword: string) =>
      as('resetAdminPassword', (h) => call(h.resetAdminPassword, 'http-api', { path: LIFECYCLE_PATHS.resetPassword, ...admin, body: { currentPassword, password: 'N3w!Passw0rd-2026' } }));
    // As for sign-in: failures until locked out, a new window after it ends, and a success that
    // clears the counter.
    for (let attempt = 0; attempt < 5; attempt++) expectStatus(await reset('Wr0ng!Passw0rd'), 400);
    expectStatus(await reset('Wr0ng!Passw0rd'), 429);
    clock.advance(16 * 60_000);
    expectStatus(await reset('Wr0ng!Passw0rd'), 400);
    expectStatus(await reset(ADMIN.password), 200);

    // The operator's recovery: refused when it looks like an HTTP request (nothing read), then done
    // by direct invocation; the admin's sign-in after it, from an address locked out before it.
    const recover = (event: unknown) => as('recoverAdminAccess', (h) => invoke(h.recoverAdminAccess, event));
    expectStatus(await recover({ version: '2.0', requestContext: { http: { sourceIp: '203.0.113.9' } }, body: '{}' }), 403);
    for (let attempt = 0; attempt < 6; attempt++) await signIn('Wr0ng!Passw0rd');
    clock.advance(60_000);
    expectStatus(await recover({ body: { password: 'Rec0vered!Passw0rd' } }), 200);
    clock.advance(1_000);
    expectStatus(await signIn('Rec0vered!Passw0rd'), 200);
  });
}, 120_000);

afterAll(async () => {
  restoreSdk?.();
  await secrets?.stop();
  await engine?.stop();
});

// ---------------------------------------------------------------------------------------------
// The simulator.

const roleId = (fn: string): string => {
  const role = resource(template, functionLogicalId(fn)).Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
};

/** A Ref or Fn::GetAtt …Arn of this stack's resources, and pseudo parameters, as deployed ARNs. */
function resolveArns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveArns);
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, unknown>;
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT_ID, 'AWS::URLSuffix': 'amazonaws.com' };
  if (typeof object.Ref === 'string') {
    if (object.Ref in pseudo) return pseudo[object.Ref];
    if (object.Ref === 'JwtSecret') return SECRET_ARN;
    if (object.Ref === SETUP_CODE_SECRET) return SETUP_CODE_ARN;
    throw new Error(`no ARN known for Ref ${object.Ref}`);
  }
  if (Array.isArray(object['Fn::GetAtt'])) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    const target = resource(template, id);
    if (attribute === 'Arn' && target.Type === 'AWS::Logs::LogGroup') {
      return `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${target.Properties?.LogGroupName}:*`;
    }
    throw new Error(`no ARN known for ${id}.${attribute}`);
  }
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveArns).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, resolveArns(value)]));
}

const identityPolicies = (fn: string) =>
  list(resource(template, roleId(fn)).Properties?.Policies as { PolicyName: string; PolicyDocument: unknown }[]).map((policy) => ({
    name: policy.PolicyName,
    policy: resolveArns(policy.PolicyDocument) as any,
  }));

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** What IAM decides for `fn`'s role calling `action` on `resourceArn` (and item `pk`, if any). */
async function decide(fn: string, action: string, resourceArn: string, pk?: string): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: identityPolicies(fn),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleId(fn)}/${fn}`,
        action,
        resource: { resource: resourceArn, accountId: ACCOUNT_ID },
        contextVariables: pk === undefined ? {} : { 'dynamodb:LeadingKeys': [pk] },
      },
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(`simulation of ${fn} ${action}: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Decision;
}

const callsOf = (fn: string) => calls.filter((c) => c.fn === fn);

describe('item-level least privilege (prod template, IAM policy simulator)', () => {
  it('recorded DynamoDB calls from every function of the stack, all on the configured table', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id).sort();
    expect(functions).toEqual(Object.keys(FUNCTIONS).map(functionLogicalId).sort());
    for (const [fn, expected] of Object.entries(FUNCTIONS)) {
      // The signing key's rotation function touches its secret only, the console nothing: never the table.
      expect({ fn, recorded: callsOf(fn).length > 0 }).toEqual({ fn, recorded: usesTable(expected) });
    }
    for (const recorded of calls) {
      expect(recorded).toEqual({ ...recorded, table: TABLE_NAME, pk: expect.any(String) });
      expect(ITEM_ACTIONS).toContain(recorded.action);
    }
    // The flow reached the paths it is meant to: sign-in's counter kept, renewed and cleared.
    expect(new Set(callsOf('createAdminJwt').filter((c) => c.pk?.startsWith('SIGNIN#')).map((c) => c.action))).toEqual(
      new Set(['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
    );
  });

  it.each(Object.keys(FUNCTIONS))('%s may make every call its code made', async (fn) => {
    const distinct = [...new Map(callsOf(fn).map((c) => [`${c.action} ${c.pk}`, c])).values()];
    for (const { action, pk } of distinct) {
      expect({ fn, action, pk, decision: await decide(fn, action, TABLE_ARN, pk) }).toEqual({ fn, action, pk, decision: 'Allowed' });
    }
  });

  it.each(Object.keys(FUNCTIONS))('%s may make no other item call, on no other item kind', async (fn) => {
    // One key of every kind any function touched, and one of a kind nobody uses.
    const samples = new Map<string, string>([['OTHER#', 'OTHER#x']]);
    for (const { pk } of calls) if (pk !== undefined && !samples.has(keyKind(pk))) samples.set(keyKind(pk), pk);
    const used = new Set(callsOf(fn).map((c) => `${c.action} ${keyKind(c.pk!)}`));
    for (const action of ITEM_ACTIONS) {
      for (const [kind, pk] of samples) {
        const expected = used.has(`${action} ${kind}`) ? 'Allowed' : 'ImplicitlyDenied';
        expect({ fn, action, kind, decision: await decide(fn, action, TABLE_ARN, pk) }).toEqual({ fn, action, kind, decision: expected });
      }
    }
  });

  describe('refuses, in particular', () => {
    it('sign-in writing or deleting the account item', async () => {
      for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
        expect({ action, decision: await decide('createAdminJwt', action, TABLE_ARN, 'ACCOUNT') }).toEqual({ action, decision: 'ImplicitlyDenied' });
      }
    });

    it('any function touching sign-in counters but sign-in', async () => {
      for (const fn of Object.keys(FUNCTIONS).filter((name) => name !== 'createAdminJwt')) {
        for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
          expect({ fn, action, decision: await decide(fn, action, TABLE_ARN, 'SIGNIN#abc') }).toEqual({ fn, action, decision: 'ImplicitlyDenied' });
        }
      }
    });

    it('Scan, and a Query or item call without a partition key, from any function', async () => {
      for (const fn of Object.keys(FUNCTIONS)) {
        for (const action of ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:GetItem']) {
          expect({ fn, action, decision: await decide(fn, action, TABLE_ARN) }).toEqual({ fn, action, decision: 'ImplicitlyDenied' });
        }
      }
    });

    it('DeleteItem of the account item, from any function', async () => {
      for (const fn of Object.keys(FUNCTIONS)) {
        expect({ fn, decision: await decide(fn, 'dynamodb:DeleteItem', TABLE_ARN, 'ACCOUNT') }).toEqual({ fn, decision: 'ImplicitlyDenied' });
      }
    });

    it('the account item of another table', async () => {
      const otherTable = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/another-table`;
      for (const fn of Object.keys(FUNCTIONS)) {
        expect({ fn, decision: await decide(fn, 'dynamodb:GetItem', otherTable, 'ACCOUNT') }).toEqual({ fn, decision: 'ImplicitlyDenied' });
      }
    });

    it('the setup code secret to every function but createAdminAccount, which read it (and only it) in the flow', async () => {
      // What the code read: createAdminAccount, GetSecretValue, the setup code secret; nothing else read any secret.
      expect(secretCalls.length).toBeGreaterThan(0);
      expect(new Set(secretCalls.map((c) => `${c.fn} ${c.action} ${c.secretId}`))).toEqual(new Set([`createAdminAccount secretsmanager:GetSecretValue ${setupCodeArn}`]));
      for (const fn of Object.keys(FUNCTIONS)) {
        for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue']) {
          const decision = await decide(fn, action, SETUP_CODE_ARN);
          const expected = fn === 'createAdminAccount' && action === 'secretsmanager:GetSecretValue' ? 'Allowed' : 'ImplicitlyDenied';
          expect({ fn, action, decision }).toEqual({ fn, action, decision: expected });
        }
      }
      // createAdminAccount's grant is on that secret alone, not on a neighbour named alike.
      expect(await decide('createAdminAccount', 'secretsmanager:GetSecretValue', SETUP_CODE_ARN.replace('/prod/', '/dev/'))).toBe('ImplicitlyDenied');
    });

    it('the signing secret to the functions that neither sign nor verify admin JWTs (the authorizer, introspection)', async () => {
      for (const [fn, expected] of Object.entries(FUNCTIONS)) {
        const decision = await decide(fn, 'secretsmanager:GetSecretValue', SECRET_ARN);
        expect({ fn, decision }).toEqual({ fn, decision: expected.jwt || expected.rotatesSigningKey ? 'Allowed' : 'ImplicitlyDenied' });
      }
      expect(FUNCTIONS.serviceTokenAuthorizer!.jwt).toBe(false);
    });
  });

  // The lock-out alarm counts sign-in's log lines with a metric filter (serverless.yml,
  // SignInLockedOutMetricFilter): its pattern must match the line a lock-out really writes, once.
  it('counts a lock-out from the line sign-in logs for it (the lock-out alarm\'s metric filter)', () => {
    const pattern = resource(template, 'SignInLockedOutMetricFilter').Properties?.FilterPattern as string;
    // `{ $.a = "x" && $.b = "y" }`: the only form used; anything else fails here.
    const terms = /^\{ (\$\.\w+ = "[^"]*")( && \$\.\w+ = "[^"]*")* \}$/.test(pattern)
      ? [...pattern.matchAll(/\$\.(\w+) = "([^"]*)"/g)].map(([, field, value]) => [field!, value!] as const)
      : [];
    expect(terms.length).toBeGreaterThan(0);
    const matches = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => terms.every(([field, value]) => entry[field] === value)).length;
    expect(matches(lockOutLog)).toBe(1);
    expect(matches(otherSignInLog)).toBe(0);
  });
});
