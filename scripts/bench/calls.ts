// Child process of `npm run bench` (stdout to /dev/null). Section 3: the DynamoDB calls each
// request makes, counted by SDK middleware on the production client (lib/aws/dynamodb.ts) against
// an in-memory dynalite, over the whole flow. Result over IPC.
import './child-env.ts';
import { randomBytes, randomUUID } from 'node:crypto';

export interface CallsRow {
  readonly request: string;
  readonly fn: string;
  readonly outcome: string;
  /** Commands sent (one per `send`), e.g. ['GetItem', 'UpdateItem']. */
  readonly commands: readonly string[];
  /** HTTP attempts (more than commands only if the SDK retried). */
  readonly attempts: number;
  /** The bound for this very request, when it differs from its function's. */
  readonly target?: number;
}

const { RequestLogger } = await import('../../lib/observability/logger.ts');
const { startDynalite, ensureTable } = await import('../dynamodb.ts');
const { createApp } = await import('../../lib/wiring/app.ts');
const { KeySetCache, singleKeySet } = await import('../../lib/admin/signing-key.ts');
const { systemClock } = await import('../../lib/runtime/clock.ts');
const { loadConfig } = await import('../../lib/runtime/config.ts');
const { createDocumentClient } = await import('../../lib/aws/dynamodb.ts');
const { handlersFor } = await import('../../test/support/wiring.ts');

const COMMANDS: Record<string, string> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' };

const engine = await startDynalite({ port: 0 });
try {
  const tableName = 'bench-calls';
  await ensureTable(engine.endpoint, tableName);
  const config = loadConfig({ ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: engine.endpoint });
  const db = createDocumentClient(config);
  let commands: string[] = [];
  let attempts = 0;
  db.middlewareStack.add((next, context) => async (args) => {
    const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
    commands.push(COMMANDS[name] ?? name);
    return next(args);
  }, { step: 'initialize', name: 'benchCommandCounter' });
  // Below the retry middleware: once per HTTP attempt.
  db.middlewareStack.add((next) => async (args) => {
    attempts++;
    return next(args);
  }, { step: 'deserialize', name: 'benchAttemptCounter' });

  const secret = new Uint8Array(randomBytes(32));
  // The real clock, moved ahead on demand: a recorded use goes stale after 5 minutes.
  let ahead = 0;
  const app = createApp(config, {
    db, signingKeys: new KeySetCache(async () => singleKeySet(secret, 'bench'), systemClock), logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'SILENT' }),
    clock: { now: () => Date.now() + ahead },
  });
  const handlers = handlersFor(app);
  const event = (authorization: string | undefined, body?: unknown) => ({
    version: '2.0',
    headers: { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    requestContext: { http: { method: 'POST', sourceIp: '203.0.113.10' }, requestId: randomUUID() },
    ...(body ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  });

  const rows: CallsRow[] = [];
  const step = async <T>(request: string, fn: string, call: () => Promise<T>, outcome: (result: T) => string, target?: number): Promise<T> => {
    commands = [];
    attempts = 0;
    const result = await call();
    // A copy: calls made between steps (set-up reads) are nobody's.
    rows.push({ request, fn, outcome: outcome(result), commands: [...commands], attempts, ...(target === undefined ? {} : { target }) });
    return result;
  };
  type Http = { statusCode: number; body: string };
  const status = (r: Http) => String(r.statusCode);
  const data = (r: Http) => JSON.parse(r.body) as { data?: { accessToken?: string }; key?: string };
  const expect200 = (what: string, r: Http) => {
    if (r.statusCode !== 200) throw new Error(`${what}: ${r.statusCode} ${r.body}`);
    return r;
  };
  const allowed = (r: { isAuthorized: boolean }) => (r.isAuthorized ? 'allow' : 'deny');

  const admin = { firstName: 'Ada', email: 'ada@acme-corp.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' };
  const signUp = await step('sign-up', 'createAdminAccount', () => handlers.createAdminAccount(event(undefined, admin)), status);
  expect200('sign-up', signUp);
  await step('sign-in, wrong password', 'createAdminJwt',
    () => handlers.createAdminJwt(event(undefined, { email: admin.email, password: 'Wr0ng!Passw0rd' })), status);
  const signIn = expect200('sign-in', await step('sign-in', 'createAdminJwt',
    () => handlers.createAdminJwt(event(undefined, { email: admin.email, password: admin.password })), status));
  const jwt = data(signIn).data!.accessToken!;
  const first = randomUUID();
  expect200('create', await step('create service token', 'createServiceToken',
    () => handlers.createServiceToken(event(`Bearer ${jwt}`, { token: first })), status));
  await step('create service token, same token again (no-op)', 'createServiceToken',
    () => handlers.createServiceToken(event(`Bearer ${jwt}`, { token: first })), status);
  await step('authorizer, current token, first use (records lastUsedAt)', 'serviceTokenAuthorizer',
    () => handlers.serviceTokenAuthorizer(event(`Bearer ${first}`)), allowed, 2);
  await step('authorizer, current token, lastUsedAt fresh', 'serviceTokenAuthorizer', () => handlers.serviceTokenAuthorizer(event(`Bearer ${first}`)), allowed);
  await step('introspect (GET service-token), lastUsedAt fresh', 'getServiceToken', () => handlers.getServiceToken(event(`Bearer ${first}`)), status);
  ahead += 5 * 60_000;
  await step('authorizer, current token, lastUsedAt 5 minutes old', 'serviceTokenAuthorizer',
    () => handlers.serviceTokenAuthorizer(event(`Bearer ${first}`)), allowed, 2);
  const second = data(expect200('rotate (b)', await step('rotate (b): service token as Bearer', 'rotateServiceToken',
    () => handlers.rotateServiceToken(event(`Bearer ${first}`, { expireAt: 300 })), status))).key!;
  await step('authorizer, token in grace (use recorded by the rotation)', 'serviceTokenAuthorizer',
    () => handlers.serviceTokenAuthorizer(event(`Bearer ${first}`)), allowed);
  await step('list service tokens', 'listServiceTokens', () => handlers.listServiceTokens(event(`Bearer ${jwt}`)), status);
  await step('revoke (b): every token in grace', 'revokeServiceToken', () => handlers.revokeServiceToken(event(`Bearer ${second}`, {})), status);
  const third = data(expect200('rotate (a)', await step('rotate (a): admin JWT naming the token', 'rotateServiceToken',
    () => handlers.rotateServiceToken(event(`Bearer ${jwt}`, { token: second, expireAt: 0 })), status))).key!;
  const listed = JSON.parse((await handlers.listServiceTokens(event(`Bearer ${jwt}`))).body) as { data: { id: string }[] };
  expect200('revoke (a)', await step('revoke (a): admin JWT naming the current token', 'revokeServiceToken',
    () => handlers.revokeServiceToken(event(`Bearer ${jwt}`, { id: listed.data[0]!.id })), status));
  await step('authorizer, revoked token', 'serviceTokenAuthorizer', () => handlers.serviceTokenAuthorizer(event(`Bearer ${third}`)), allowed);
  await step('authorizer, unknown token', 'serviceTokenAuthorizer',
    () => handlers.serviceTokenAuthorizer(event(`Bearer ${randomUUID()}`)), allowed);
  expect200('reset', await step('reset password', 'resetAdminPassword',
    () => handlers.resetAdminPassword(event(`Bearer ${jwt}`, { currentPassword: admin.password, password: 'N3w!Passw0rd#x' })), status));
  await step('sign-in, new password', 'createAdminJwt',
    () => handlers.createAdminJwt(event(undefined, { email: admin.email, password: 'N3w!Passw0rd#x' })), status);
  db.destroy();
  if (process.send) process.send(rows);
  else console.error(JSON.stringify(rows, null, 2));
} finally {
  await engine.stop();
}
