import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_MS } from '../../lib/observability/metrics.ts';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';

/*
 * The audit trail and the metrics against the real local stack: `npm start` (scripts/start.ts) at
 * the default log level, every line the functions print captured (serverless-offline passes their
 * stdout through), the whole credential flow driven over HTTP and by direct invocation. Its own
 * stack, so that nothing another suite does shows up in the lines counted here.
 */

const USER_AGENT = 'audit-e2e/1.0';
// Not the credentials of npm start's printed walk-through: those are in the output by design.
const admin = { firstName: 'Ada', email: 'ada@acme-audit.com', password: 'Aud1t!Passw0rd', companyName: 'Acme' };
const WRONG_PASSWORD = 'Wr0ng!Passw0rd';
const NEW_PASSWORD = 'N3w!Passw0rd#x';
const INTRUDER = 'mallory@acme-audit.com';

let stack: LocalStack;
let api: string;
let invokeUrl: (fn: string) => string;
const output = () => stack.output();

beforeAll(async () => {
  // The default log level: neither the test runner's SILENT nor anything from the shell.
  stack = await startLocalStack('e2e-audit', { unset: ['POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL'] });
  api = stack.api;
  invokeUrl = (fn) => `${stack.lambdaEndpoint}/2015-03-31/functions/databrain-admin-api-e2e-audit-${fn}/invocations`;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

type Json = Record<string, any>;

const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
};
const get = async (path: string, bearer: string) =>
  (await fetch(`${api}${path}`, { headers: { Authorization: `Bearer ${bearer}`, 'User-Agent': USER_AGENT } })).status;
/** A direct invocation (`aws lambda invoke`): the function's own `{statusCode, headers, body}`. */
const invoke = async (fn: string, payload: unknown): Promise<{ status: number; body: Json }> => {
  const result = (await (await fetch(invokeUrl(fn), { method: 'POST', body: JSON.stringify(payload) })).json()) as Json;
  return { status: result.statusCode as number, body: JSON.parse(result.body as string) as Json };
};

/** Every JSON object line the stack printed (the functions' logs and metrics), in order. */
const jsonLines = (): Json[] =>
  output().split('\n').flatMap((line) => {
    const text = line.trim();
    if (!text.startsWith('{')) return [];
    try {
      return [JSON.parse(text) as Json];
    } catch {
      return [];
    }
  });
const auditLines = () => jsonLines().filter((r) => typeof r.audit === 'string');
/** metric name → how many EMF lines counted it. */
function metricCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of jsonLines().filter((r) => '_aws' in r)) {
    for (const directive of record._aws.CloudWatchMetrics as { Metrics: { Name: string }[] }[]) {
      for (const { Name } of directive.Metrics) counts[Name] = (counts[Name] ?? 0) + (record[Name] as number);
    }
  }
  return counts;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
const jwtSubject = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

describe('the audit trail of the whole credential flow under npm start', () => {
  const statuses: Record<string, number> = {};
  const jwts: string[] = [];
  const tokens: string[] = [];
  /** `event source`, one per credential event the flow caused, in the order it caused them. */
  const expected: string[] = [];
  let companyId: string;
  let adminId: string;

  beforeAll(async () => {
    const signUp = await post('/api/v2/admin-account', admin);
    statuses.signUp = signUp.status;
    expected.push('account.created http');
    jwts.push(signUp.body.data.accessToken);

    const signIn = await post('/api/v2/admin-account/jwt', { email: admin.email, password: admin.password });
    statuses.signIn = signIn.status;
    if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status} ${JSON.stringify(signIn.body)} (sign-up: ${signUp.status})`);
    expected.push('signin.succeeded http');
    const jwt = signIn.body.data.accessToken as string;
    jwts.push(jwt);
    adminId = jwtSubject(jwt);

    statuses.wrongPassword = (await post('/api/v2/admin-account/jwt', { email: admin.email, password: WRONG_PASSWORD })).status;
    expected.push('signin.failed http');
    for (let i = 0; i < 5; i++) {
      statuses[`intruder${i}`] = (await post('/api/v2/admin-account/jwt', { email: INTRUDER, password: WRONG_PASSWORD })).status;
      expected.push('signin.failed http');
    }
    statuses.locked = (await post('/api/v2/admin-account/jwt', { email: INTRUDER, password: WRONG_PASSWORD })).status;
    expected.push('signin.locked http');

    const token = randomUUID();
    tokens.push(token);
    statuses.create = (await post('/api/v2/service-token', { token }, { Authorization: `Bearer ${jwt}` })).status;
    expected.push('service_token.created http');
    const direct = randomUUID();
    tokens.push(direct);
    statuses.createDirect = (await invoke('createServiceToken', { headers: { authorization: `Bearer ${jwt}` }, body: { token: direct } })).status;
    expected.push('service_token.created direct');

    // Not credential events: the authorizer's allow and deny, a refused body.
    const allowedAt = Date.now();
    statuses.allow = await get('/api/v2/service-token', direct);
    statuses.deny = await get('/api/v2/service-token', randomUUID());
    statuses.badBody = (await post('/api/v2/service-token', { token: 'nope' }, { Authorization: `Bearer ${jwt}` })).status;

    const rotatedB = await post('/api/v2/service-token/rotate', { expireAt: 60 }, { Authorization: `Bearer ${direct}` });
    statuses.rotateB = rotatedB.status;
    expected.push('service_token.rotated http');
    tokens.push(rotatedB.body.key);
    const rotatedA = await invoke('rotateServiceToken', { headers: { authorization: `Bearer ${jwt}` }, body: { token: rotatedB.body.key, expireAt: 0 } });
    statuses.rotateA = rotatedA.status;
    expected.push('service_token.rotated direct');
    tokens.push(rotatedA.body.key);

    const introspected = await invoke('getServiceToken', { headers: { authorization: `Bearer ${rotatedA.body.key}` } });
    companyId = introspected.body.data.companyId;

    const reset = (currentPassword: string) =>
      post('/api/v2/service-token/reset-password', { currentPassword, password: NEW_PASSWORD }, { Authorization: `Bearer ${jwt}` });
    statuses.resetFailed = (await reset(WRONG_PASSWORD)).status;
    expected.push('password.reset_failed http');
    statuses.reset = (await reset(admin.password)).status;
    expected.push('password.reset http');

    // The authorizer writes its counts at most every BATCH_MS: the deny above is written at the end
    // of its first invocation after that, with this allow.
    await new Promise((done) => setTimeout(done, Math.max(0, allowedAt + BATCH_MS + 500 - Date.now())));
    statuses.allowAgain = await get('/api/v2/service-token', rotatedA.body.key);

    // serverless-offline relays the functions' output asynchronously: wait until it is all there.
    const deadline = Date.now() + 20_000;
    while (auditLines().length < expected.length && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    await new Promise((done) => setTimeout(done, 500));
  }, 120_000);

  it('ran the flow as intended', () => {
    expect(statuses).toEqual({
      signUp: 200, signIn: 200, wrongPassword: 400, intruder0: 400, intruder1: 400, intruder2: 400, intruder3: 400, intruder4: 400,
      locked: 429, create: 200, createDirect: 200, allow: 200, deny: 403, badBody: 400, rotateB: 200, rotateA: 200,
      resetFailed: 400, reset: 200, allowAgain: 200,
    });
  });

  it('wrote each credential event exactly once, and nothing else as an audit event', () => {
    // By time: the functions run in separate workers, whose output may interleave.
    const seen = auditLines().sort((a, b) => String(a.time).localeCompare(String(b.time))).map((r) => `${r.audit} ${r.source}`);
    expect(seen).toEqual(expected);
  });

  it('wrote them at INFO with their fields: outcome, actor, company, source with client address and user agent, request ids', () => {
    const lines = auditLines();
    const byEvent = (name: string) => lines.filter((r) => r.audit === name);
    for (const line of lines) {
      expect(line).toEqual(expect.objectContaining({ level: 'INFO', message: 'audit', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }));
      expect(line.function_request_id).toEqual(expect.stringMatching(/^[\w-]{8,}$/));
      if (line.source === 'http') {
        expect(line).toEqual(expect.objectContaining({ clientAddress: expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/), userAgent: USER_AGENT }));
        expect(line.gatewayRequestId).toEqual(expect.any(String));
      } else {
        expect(line.source).toBe('direct');
        for (const key of ['clientAddress', 'userAgent', 'gatewayRequestId']) expect(line[key]).toBeUndefined();
      }
    }
    // Every invocation its own Lambda request id.
    expect(new Set(lines.map((r) => r.function_request_id)).size).toBe(lines.length);

    const asAdmin = { actor: `admin:${adminId}`, companyId };
    expect(byEvent('account.created')).toEqual([expect.objectContaining({ outcome: 'success', actor: 'anonymous', companyId, adminId })]);
    expect(byEvent('signin.succeeded')).toEqual([expect.objectContaining({ outcome: 'success', ...asAdmin, adminId })]);
    const failed = byEvent('signin.failed');
    expect(failed.filter((r) => r.companyId === companyId)).toEqual([expect.objectContaining({ outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', adminId })]);
    expect(failed.filter((r) => r.companyId === undefined).map((r) => [r.outcome, r.actor, r.reason])).toEqual(
      Array.from({ length: 5 }, () => ['failure', 'anonymous', 'invalid_credentials']));
    expect(byEvent('signin.locked')).toEqual([expect.objectContaining({ outcome: 'failure', actor: 'anonymous', reason: 'too_many_attempts' })]);
    expect(byEvent('service_token.created')).toEqual([expect.objectContaining({ outcome: 'success', ...asAdmin }), expect.objectContaining({ outcome: 'success', ...asAdmin })]);
    const rotated = byEvent('service_token.rotated');
    expect(rotated.find((r) => r.source === 'http')).toEqual(expect.objectContaining({ outcome: 'success', actor: expect.stringMatching(/^service_token(:|$)/), companyId, graceSeconds: 60 }));
    expect(rotated.find((r) => r.source === 'direct')).toEqual(expect.objectContaining({ outcome: 'success', ...asAdmin, graceSeconds: 0 }));
    expect(byEvent('password.reset_failed')).toEqual([expect.objectContaining({ outcome: 'failure', ...asAdmin, reason: 'current_password_incorrect' })]);
    expect(byEvent('password.reset')).toEqual([expect.objectContaining({ outcome: 'success', ...asAdmin })]);
  });

  it('counted the events (on their audit lines) and the authorizer\'s answers as EMF metrics', () => {
    expect(metricCounts()).toEqual(expect.objectContaining({
      SignInFailed: 6,
      SignInLocked: 1,
      ServiceTokenCreated: 2,
      ServiceTokenRotated: 2,
      PasswordReset: 1,
      PasswordResetFailed: 1,
      AuthorizerAllow: 2,
      AuthorizerDeny: 1,
    }));
    expect(metricCounts().AuthorizerError).toBeUndefined();
  });

  it('printed no password, token value, digest, JWT or signing key anywhere', () => {
    const secret = readFileSync(join(stack.dataDir, 'jwt-secret'), 'utf8');
    const values: [string, string][] = [
      ['password', admin.password],
      ['wrong password', WRONG_PASSWORD],
      ['new password', NEW_PASSWORD],
      ['signing secret', secret],
      ['signing secret (hex)', Buffer.from(secret, 'base64url').toString('hex')],
    ];
    for (const jwt of jwts) {
      values.push(['jwt', jwt], ...jwt.split('.').slice(1).map((part): [string, string] => ['jwt part', part]));
    }
    for (const token of tokens) {
      values.push(['token', token], ['token (upper case)', token.toUpperCase()], ['token (hex)', token.replaceAll('-', '')], ['digest', digest(token)]);
    }
    expect(output().length).toBeGreaterThan(0);
    for (const [what, value] of values) expect({ what, leaked: output().includes(value) }).toEqual({ what, leaked: false });
  });
});
