// CONTRACT §6 — using a service token: the HTTP API Lambda authorizer for service-level routes, and
// GET /api/v2/service-token (introspection) behind it. One strongly consistent read per request.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { v1 as uuidv1 } from 'uuid';
import {
  EVENT_SHAPES,
  ManualClock,
  createHarness,
  eventFor,
  expectCredential,
  expectError,
  header,
  sha256Base64url,
  signUp,
  type Harness,
} from '../support/harness.ts';
import {
  DENY,
  LIFECYCLE_PATHS,
  SECOND,
  authorize,
  authorizeToken,
  authorizerEvent,
  createToken,
  idOf,
  introspect,
  iso,
  onlyCalls,
  rotateOk,
  spyOnDynamoDb,
  spyOnStores,
} from '../support/lifecycle.ts';
import { captureOutput } from '../support/proof.ts';

const INVALID_TOKEN = 'Invalid Service Token';

// One account for the whole file (a single sign-up): `expired` was rotated out with no grace,
// `inGrace` was rotated out with 300 s left, `current` is the current token. Nothing below writes
// but the tokens' lastUsedAt (the clock stands still, so each token's first use records it, once).
const clock = new ManualClock();
let harness: Harness;
let jwt: string;
let companyId: string;
let expired: string;
let inGrace: string;
let current: string;
const times = { inGraceCreated: 0, currentCreated: 0, inGraceExpires: 0 };
const ids = { inGrace: '', current: '' };

beforeAll(async () => {
  harness = await createHarness({ clock });
  jwt = await signUp(harness);
  companyId = (await harness.app.accounts.get())!.companyId;
  expired = await createToken(harness, jwt);
  clock.advance(10 * SECOND);
  times.inGraceCreated = clock.now();
  inGrace = await rotateOk(harness, 'b', jwt, expired, 0);
  clock.advance(10 * SECOND);
  times.currentCreated = clock.now();
  times.inGraceExpires = clock.now() + 300 * SECOND;
  current = await rotateOk(harness, 'a', jwt, inGrace, 300);
  clock.advance(10 * SECOND);
  ids.inGrace = (await idOf(harness, inGrace))!;
  ids.current = (await idOf(harness, current))!;
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('service-token authorizer: allows', () => {
  test('the current token: {isAuthorized: true, context: {companyId, createdAt}} (no expiresAt while current)', async () => {
    expect(await authorizeToken(harness, current)).toStrictEqual({
      isAuthorized: true,
      context: { companyId, id: ids.current, createdAt: iso(times.currentCreated) },
    });
  });

  test('a token inside its grace window, with its own creation time and expiresAt (ISO)', async () => {
    expect(await authorizeToken(harness, inGrace)).toStrictEqual({
      isAuthorized: true,
      context: { companyId, id: ids.inGrace, createdAt: iso(times.inGraceCreated), expiresAt: iso(times.inGraceExpires) },
    });
  });

  test.each([
    ['uppercase', () => `Bearer ${current.toUpperCase()}`],
    ['braced', () => `Bearer {${current}}`],
    ['unhyphenated', () => `Bearer ${current.replaceAll('-', '')}`],
    ['a lower-case "bearer" scheme', () => `bearer ${current}`],
  ])('the current token spelled %s', async (_name, authorization) => {
    expect((await authorize(harness, authorization())).isAuthorized).toBe(true);
  });

  test('whatever the header name\'s case, and from the event eventFor builds for an HTTP API request', async () => {
    expect((await harness.handlers.serviceTokenAuthorizer(authorizerEvent({ Authorization: `Bearer ${current}` }))).isAuthorized).toBe(true);
    const event = eventFor('http-api', { method: 'GET', path: LIFECYCLE_PATHS.introspect, headers: { authorization: `Bearer ${current}` } });
    expect(await harness.handlers.serviceTokenAuthorizer(event)).toStrictEqual({
      isAuthorized: true,
      context: { companyId, id: ids.current, createdAt: iso(times.currentCreated) },
    });
  });

  test('the context never carries a token value or digest', async () => {
    const text = JSON.stringify([await authorizeToken(harness, current), await authorizeToken(harness, inGrace)]);
    for (const token of [current, inGrace]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(sha256Base64url(token));
    }
  });
});

describe('service-token authorizer: denies', () => {
  test.each([
    ['a missing Authorization header', () => undefined],
    ['an empty Authorization header', () => ''],
    ['"Bearer" without a value', () => 'Bearer '],
    ['the Basic scheme', () => 'Basic YWRtaW46cGFzc3dvcmQ='],
    ['the current token with the Basic scheme', () => `Basic ${current}`],
    ['the current token without a scheme', () => current],
    ['the current token followed by more', () => `Bearer ${current} ${current}`],
    ['the current token with a suffix', () => `Bearer ${current}0`],
    ['an admin JWT instead of a token', () => `Bearer ${jwt}`],
    ['garbage', () => 'Bearer !!not-a-token!!'],
    ['a v4 UUID never issued', () => `Bearer ${randomUUID()}`],
    ['a v1 UUID never issued', () => `Bearer ${uuidv1()}`],
    ['the nil UUID', () => 'Bearer 00000000-0000-0000-0000-000000000000'],
    ['the digest of the current token', () => `Bearer ${sha256Base64url(current)}`],
    ['a token past its window (still recorded in the item)', () => `Bearer ${expired}`],
  ])('%s: {isAuthorized: false, context: {}}', async (_name, authorization) => {
    expect(await authorize(harness, authorization())).toStrictEqual(DENY);
  });

  test('every token, before the company ever created one', async () => {
    const fresh = await createHarness();
    await signUp(fresh);
    expect(await authorizeToken(fresh, current)).toStrictEqual(DENY);
    expect(await authorizeToken(fresh, randomUUID())).toStrictEqual(DENY);
  });

  test('every token, when the table holds no account at all', async () => {
    const empty = await createHarness();
    expect(await authorizeToken(empty, randomUUID())).toStrictEqual(DENY);
  });

  test('SELF_HOSTED=false: fails closed with an error (API Gateway answers 500), never a denial, even for the current token of the very same table, without reading it; logged at ERROR once per container', async () => {
    const notSelfHosted = await createHarness({ env: { SELF_HOSTED: 'false', TABLE_NAME: harness.tableName }, logLevel: 'INFO' });
    const stores = spyOnStores(notSelfHosted.app);
    const dynamo = spyOnDynamoDb();
    const { output } = await captureOutput(async () => {
      for (const token of [current, inGrace, randomUUID()]) await expect(authorizeToken(notSelfHosted, token)).rejects.toThrow();
      await expect(authorize(notSelfHosted, undefined)).rejects.toThrow();
    });
    expect(stores.counts()).toStrictEqual(onlyCalls({}));
    expect(dynamo.commands()).toStrictEqual([]);
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'ERROR', message: expect.stringContaining('SELF_HOSTED') });
    for (const token of [current, inGrace]) expect(output).not.toContain(token);
    jest.restoreAllMocks();
    // Control: the same table, self-hosted, allows it.
    expect((await authorizeToken(harness, current)).isAuthorized).toBe(true);
  });

  test('a failing store is not a denial: the authorizer throws (API Gateway answers 500)', async () => {
    const broken = await createHarness({ createTable: false });
    await expect(authorizeToken(broken, randomUUID())).rejects.toThrow();
  });
});

describe('service-token authorizer: DynamoDB calls', () => {
  test.each([
    ['the current token', () => current, true],
    ['a token in grace', () => inGrace, true],
    ['a token past its window', () => expired, false],
    ['a UUID never issued', () => randomUUID(), false],
    ['a UUID in another spelling', () => `{${current.toUpperCase()}}`, true],
  ])('%s, its lastUsedAt fresh: exactly one strongly consistent read, no other store call', async (_name, token, allowed) => {
    await authorizeToken(harness, token()); // records the use, if it was not recorded yet
    const stores = spyOnStores(harness.app);
    const dynamo = spyOnDynamoDb();

    const result = await authorizeToken(harness, token());

    expect(result.isAuthorized).toBe(allowed);
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 1 }));
    const commands = dynamo.commands();
    expect(commands.map((c) => c.name)).toStrictEqual(['GetCommand']);
    expect(commands[0]!.input).toMatchObject({ TableName: harness.tableName, Key: { pk: 'ACCOUNT' }, ConsistentRead: true });
  });

  test('ten requests, ten reads: nothing is cached between requests', async () => {
    await authorizeToken(harness, current);
    const stores = spyOnStores(harness.app);
    for (let i = 0; i < 10; i++) await authorizeToken(harness, current);
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 10 }));
  });

  test.each([
    ['a missing header', undefined],
    ['the Basic scheme', 'Basic YWRtaW46cGFzc3dvcmQ='],
    ['an admin JWT', 'JWT'],
    ['garbage', 'Bearer garbage'],
  ])('%s is denied without any store call', async (_name, authorization) => {
    const stores = spyOnStores(harness.app);
    const dynamo = spyOnDynamoDb();
    expect(await authorize(harness, authorization === 'JWT' ? `Bearer ${jwt}` : authorization)).toStrictEqual(DENY);
    expect(stores.counts()).toStrictEqual(onlyCalls({}));
    expect(dynamo.commands()).toStrictEqual([]);
  });
});

describe.each(EVENT_SHAPES)('GET /api/v2/service-token over %s', (shape) => {
  test('the current token: 200 {"data":{companyId, createdAt, expiresAt: null}}, no-store, no token value', async () => {
    const response = await introspect(harness, shape, `Bearer ${current}`);
    expectCredential(response);
    expect(header(response, 'WWW-Authenticate')).toBeUndefined();
    expect(response.body).toStrictEqual({ data: { companyId, id: ids.current, createdAt: iso(times.currentCreated), expiresAt: null } });
    for (const token of [current, inGrace, expired]) {
      expect(response.raw).not.toContain(token);
      expect(response.raw).not.toContain(sha256Base64url(token));
    }
  });

  test('a token in grace: 200 with its own createdAt and expiresAt', async () => {
    const response = await introspect(harness, shape, `Bearer ${inGrace}`);
    expectCredential(response);
    expect(response.body).toStrictEqual({
      data: { companyId, id: ids.inGrace, createdAt: iso(times.inGraceCreated), expiresAt: iso(times.inGraceExpires) },
    });
    expect(response.raw).not.toContain(inGrace);
  });

  test.each([
    ['no Authorization header', () => undefined],
    ['the Basic scheme', () => 'Basic YWRtaW46cGFzc3dvcmQ='],
    ['an admin JWT', () => `Bearer ${jwt}`],
    ['garbage', () => 'Bearer garbage'],
    ['a v4 UUID never issued', () => `Bearer ${randomUUID()}`],
    ['a token past its window', () => `Bearer ${expired}`],
  ])('%s: 401 AUTHENTICATION_ERROR "Invalid Service Token" + WWW-Authenticate: Bearer', async (_name, authorization) => {
    expectError(await introspect(harness, shape, authorization()), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });

  test('checks the token itself with one read (a direct invocation has no authorizer in front)', async () => {
    await introspect(harness, shape, `Bearer ${current}`);
    const stores = spyOnStores(harness.app);
    expect((await introspect(harness, shape, `Bearer ${current}`)).statusCode).toBe(200);
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 1 }));
  });
});

describe('GET /api/v2/service-token: configuration and failures', () => {
  test('not self-hosted: 500 SELFHOSTED_APP_ERROR, even for a valid token of the same table', async () => {
    const notSelfHosted = await createHarness({ env: { SELF_HOSTED: 'false', TABLE_NAME: harness.tableName } });
    const stores = spyOnStores(notSelfHosted.app);
    expectError(
      await introspect(notSelfHosted, 'http-api', `Bearer ${current}`),
      500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances',
    );
    expect(stores.counts()).toStrictEqual(onlyCalls({}));
  });

  test('a failing store: 500 INTERNAL_SERVER_ERROR with nothing internal in the body', async () => {
    const broken = await createHarness({ createTable: false });
    const response = await introspect(broken, 'http-api', `Bearer ${randomUUID()}`);
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    expect(response.raw).not.toContain(broken.tableName);
  });
});
