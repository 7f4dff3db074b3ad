// Proof suite: the engine fails (unreachable, connection reset, throttled, slower than the SDK's
// request timeout). Every endpoint answers the documented 500 INTERNAL_SERVER_ERROR well inside
// the function's 10 s timeout (the authorizer fails, so API Gateway answers 500), nothing is left
// half-written, and the very next request after the engine recovers succeeds.
//
// Each scenario has its own proxy, world and SDK client (the SDK's retry budget is per client), so
// all of them run at once in beforeAll, where their outcomes are recorded; the tests then judge them.
import { randomUUID } from 'node:crypto';
import { ADMIN, PATHS, bearer, call, expectCredential, expectError, type Answer, type Harness } from '../support/harness.ts';
import { LIFECYCLE_PATHS, authorizeToken, introspect, rotateWithToken, signIn } from '../support/lifecycle.ts';
import { isWrite, startDynamoDbProxy, type DynamoDbCall, type DynamoDbProxy, type ProxyMode } from '../support/ddb-proxy.ts';
import { createEmptyHarness, createWorld, type World } from '../support/proof.ts';

/** The functions' timeout is 10 s (serverless.yml); a fault must be answered well before it. */
const BOUND_MS = 9_000;
/** Longer than the function timeout: unless the SDK cuts the attempt, the request cannot end in time. */
const SLOW_MS = 15_000;
const NEW_PASSWORD = 'N3w!Passw0rd#';

type Endpoint =
  | 'createAdminAccount'
  | 'createAdminJwt'
  | 'createServiceToken'
  | 'rotateServiceToken (a)'
  | 'rotateServiceToken (b)'
  | 'resetAdminPassword'
  | 'getServiceToken';
const WRITERS: Endpoint[] = ['createAdminAccount', 'createAdminJwt', 'createServiceToken', 'rotateServiceToken (a)', 'rotateServiceToken (b)', 'resetAdminPassword'];
const ENDPOINTS: Endpoint[] = [...WRITERS, 'getServiceToken'];

interface Timed<T> {
  readonly outcome: T;
  readonly ms: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const outcome = await work();
  return { outcome, ms: Math.round(performance.now() - started) };
}

/** Every endpoint, called as a legitimate client would: each one reads (and most write) the table. */
function legitimateRequests(world: World, fresh: Harness): Record<Endpoint, () => Promise<Answer>> {
  const h = world.harness;
  const token = world.token!;
  return {
    createAdminAccount: () => call(fresh.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN }),
    createAdminJwt: () => signIn(h, world.email, world.password),
    createServiceToken: () =>
      call(h.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(world.jwt), body: { token: randomUUID() } }),
    'rotateServiceToken (a)': () =>
      call(h.handlers.rotateServiceToken, 'rest-api', { path: LIFECYCLE_PATHS.rotate, headers: bearer(world.jwt), body: { token, expireAt: 60 } }),
    'rotateServiceToken (b)': () => rotateWithToken(h, 'direct', token, { expireAt: 60 }),
    resetAdminPassword: () =>
      call(h.handlers.resetAdminPassword, 'http-api', {
        path: LIFECYCLE_PATHS.resetPassword,
        headers: bearer(world.jwt),
        body: { currentPassword: world.password, password: NEW_PASSWORD },
      }),
    getServiceToken: () => introspect(h, 'http-api', `Bearer ${token}`),
  };
}

/** After recovery, each endpoint once more, in an order that keeps the credentials valid. */
async function afterRecovery(world: World, fresh: Harness): Promise<Record<string, number | boolean>> {
  const h = world.harness;
  const signUp = await call(fresh.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN });
  const signedIn = await signIn(h, world.email, world.password);
  const jwt = (signedIn.body.data?.accessToken as string | undefined) ?? world.jwt;
  const authorizer = await authorizeToken(h, world.token!);
  const introspected = await introspect(h, 'http-api', `Bearer ${world.token}`);
  const rotated = await rotateWithToken(h, 'http-api', world.token!, { expireAt: 0 });
  const upserted = await call(h.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } });
  const reset = await call(h.handlers.resetAdminPassword, 'http-api', {
    path: LIFECYCLE_PATHS.resetPassword,
    headers: bearer(jwt),
    body: { currentPassword: world.password, password: NEW_PASSWORD },
  });
  return {
    createAdminAccount: signUp.statusCode,
    createAdminJwt: signedIn.statusCode,
    authorizer: authorizer.isAuthorized,
    getServiceToken: introspected.statusCode,
    rotateServiceToken: rotated.statusCode,
    createServiceToken: upserted.statusCode,
    resetAdminPassword: reset.statusCode,
  };
}

const RECOVERED = {
  createAdminAccount: 200,
  createAdminJwt: 200,
  authorizer: true,
  getServiceToken: 200,
  rotateServiceToken: 200,
  createServiceToken: 200,
  resetAdminPassword: 200,
};

interface Scenario {
  readonly name: string;
  readonly mode: ProxyMode;
  /** Fault only these calls (the rest pass); default every call. */
  readonly match?: (call: DynamoDbCall) => boolean;
}

interface ScenarioOutcome {
  readonly answers: Record<Endpoint, Timed<Answer>>;
  readonly authorizer: Timed<string>;
  readonly before: unknown;
  readonly after: unknown;
  readonly recovery: Record<string, number | boolean>;
}

async function runScenario(scenario: Scenario, proxies: DynamoDbProxy[]): Promise<ScenarioOutcome> {
  const proxy = await startDynamoDbProxy();
  proxies.push(proxy);
  const world = await createWorld({ endpoint: proxy.endpoint });
  const fresh = await createEmptyHarness(proxy.endpoint);
  const before = [await world.harness.items(), await fresh.items()];

  await proxy.set(scenario.mode, scenario.match);
  const requests = legitimateRequests(world, fresh);
  const [answers, authorizer] = await Promise.all([
    Promise.all(ENDPOINTS.map(async (name) => [name, await timed(requests[name])] as const)),
    timed(() =>
      authorizeToken(world.harness, world.token!).then(
        (result) => (result.isAuthorized ? 'allowed' : 'denied'),
        (error: Error) => `failed: ${error.name}`,
      ),
    ),
  ]);
  await proxy.set({ kind: 'pass' });

  const after = [await world.harness.items(), await fresh.items()];
  return {
    answers: Object.fromEntries(answers) as Record<Endpoint, Timed<Answer>>,
    authorizer,
    before,
    after,
    recovery: await afterRecovery(world, fresh),
  };
}

const EVERY_CALL: Scenario[] = [
  { name: 'unreachable (nothing listens on the port)', mode: { kind: 'closed' } },
  { name: 'connection reset without an answer', mode: { kind: 'reset' } },
  { name: 'ProvisionedThroughputExceededException', mode: { kind: 'error', type: 'ProvisionedThroughputExceededException' } },
  { name: 'ThrottlingException', mode: { kind: 'error', type: 'ThrottlingException' } },
  { name: `slow engine (${SLOW_MS} ms, beyond the SDK request timeout)`, mode: { kind: 'delay', ms: SLOW_MS } },
];

const WRITES_ONLY: Scenario[] = [
  { name: 'connection reset on writes', mode: { kind: 'reset' }, match: isWrite },
  { name: 'ThrottlingException on writes', mode: { kind: 'error', type: 'ThrottlingException' }, match: isWrite },
  { name: `slow engine (${SLOW_MS} ms) on writes`, mode: { kind: 'delay', ms: SLOW_MS }, match: isWrite },
];

describe('proof: faults of the engine', () => {
  const proxies: DynamoDbProxy[] = [];
  const outcomes = new Map<string, ScenarioOutcome>();
  let clearFault: { answer: Answer; before: Record<string, unknown>[]; after: Record<string, unknown>[]; next: Answer; afterNext: Record<string, unknown>[] };
  let attempts: { answer: Answer; ms: number; received: Record<string, number> };

  beforeAll(async () => {
    const all = [...EVERY_CALL, ...WRITES_ONLY];
    await Promise.all([
      ...all.map(async (scenario) => outcomes.set(scenario.name, await runScenario(scenario, proxies))),
      (async () => {
        // A sign-in whose final clearing of the attempt count fails.
        const proxy = await startDynamoDbProxy();
        proxies.push(proxy);
        const world = await createWorld({ endpoint: proxy.endpoint, withToken: false });
        const before = await world.harness.items();
        await proxy.set({ kind: 'error', type: 'ThrottlingException' }, (c) => c.operation === 'DeleteItem');
        const answer = await signIn(world.harness, world.email, world.password);
        await proxy.set({ kind: 'pass' });
        const after = await world.harness.items();
        const next = await signIn(world.harness, world.email, world.password);
        clearFault = { answer, before, after, next, afterNext: await world.harness.items() };
      })(),
      (async () => {
        // One read against an engine that holds every request: how many attempts, how long.
        const proxy = await startDynamoDbProxy();
        proxies.push(proxy);
        const world = await createWorld({ endpoint: proxy.endpoint });
        proxy.resetStats();
        await proxy.set({ kind: 'delay', ms: SLOW_MS });
        const { outcome, ms } = await timed(() => introspect(world.harness, 'http-api', `Bearer ${world.token}`));
        await proxy.set({ kind: 'pass' });
        attempts = { answer: outcome, ms, received: { ...proxy.stats.received } };
      })(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
  });

  describe.each(EVERY_CALL.map((s) => [s.name, s] as const))('%s', (name) => {
    const outcome = () => outcomes.get(name)!;

    test.each(ENDPOINTS)('%s answers 500 INTERNAL_SERVER_ERROR within the bound', (endpoint) => {
      const { outcome: answer, ms } = outcome().answers[endpoint];
      expectError(answer, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
      expect({ ms, withinBound: ms < BOUND_MS }).toStrictEqual({ ms, withinBound: true });
    });

    test('the authorizer fails (API Gateway answers 500): it neither allows nor denies on a store error', () => {
      const { outcome: result, ms } = outcome().authorizer;
      expect(result).toMatch(/^failed: /);
      expect(ms).toBeLessThan(BOUND_MS);
    });

    test('nothing changed in either table', () => {
      expect(outcome().after).toStrictEqual(outcome().before);
    });

    test('after recovery every endpoint succeeds again', () => {
      expect(outcome().recovery).toStrictEqual(RECOVERED);
    });
  });

  describe.each(WRITES_ONLY.map((s) => [s.name, s] as const))('%s only (reads pass)', (name) => {
    const outcome = () => outcomes.get(name)!;

    test.each(WRITERS)('%s answers 500 INTERNAL_SERVER_ERROR within the bound, after its reads (and any argon2 work)', (endpoint) => {
      const { outcome: answer, ms } = outcome().answers[endpoint];
      expectError(answer, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
      expect({ ms, withinBound: ms < BOUND_MS }).toStrictEqual({ ms, withinBound: true });
    });

    test('the read-only endpoints still work: introspection 200, the authorizer allows', () => {
      expect(outcome().answers.getServiceToken.outcome.statusCode).toBe(200);
      expect(outcome().authorizer.outcome).toBe('allowed');
    });

    test('no half-done operation: no account, no attempt counted, password and token set as before', () => {
      expect(outcome().after).toStrictEqual(outcome().before);
    });

    test('after recovery every endpoint succeeds again (the old JWT and token still work)', () => {
      expect(outcome().recovery).toStrictEqual(RECOVERED);
    });
  });

  test('a sign-in whose attempt-count clearing fails answers 500 and leaves its reserved attempt counted (fails safe)', () => {
    const { answer, before, after, next, afterNext } = clearFault;
    expectError(answer, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    // The account is untouched; the only difference is the attempt reserved before the password
    // check, in its address's count and its email's, exactly as if the password had been wrong:
    // the lock-out can only get stricter.
    const counter = (pk: RegExp) => ({ pk: expect.stringMatching(pk), attempts: 1, windowEndsAt: expect.any(Number), expiresAt: expect.any(Number) });
    expect(after.filter((item) => item.pk === 'ACCOUNT')).toStrictEqual(before.filter((item) => item.pk === 'ACCOUNT'));
    expect(after.filter((item) => item.pk !== 'ACCOUNT')).toHaveLength(2);
    expect(after.filter((item) => item.pk !== 'ACCOUNT')).toEqual(expect.arrayContaining([
      counter(/^SIGNIN#[A-Za-z0-9_-]{43}$/),
      counter(/^SIGNIN#EMAIL#[A-Za-z0-9_-]{43}$/),
    ]));
    // The next sign-in after recovery succeeds and clears its address's count; the email's keeps
    // that attempt until its window ends, as it keeps any failure (successes give back only their own).
    expectCredential(next);
    expect(afterNext.filter((item) => item.pk !== 'ACCOUNT')).toStrictEqual([counter(/^SIGNIN#EMAIL#[A-Za-z0-9_-]{43}$/)]);
  });

  test('an engine holding every request: 3 attempts, each cut at the 2 s request timeout, then 500 within the bound', () => {
    expectError(attempts.answer, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    expect(attempts.received).toStrictEqual({ GetItem: 3 });
    // 3 × 2 s + back-off (≤ 50 + 100 ms after timeouts); without throwOnRequestTimeout it was 15.5 s.
    expect(attempts.ms).toBeGreaterThanOrEqual(3 * 2_000 - 100);
    expect(attempts.ms).toBeLessThan(BOUND_MS);
  });
});
