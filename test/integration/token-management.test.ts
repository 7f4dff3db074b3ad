// Service-token management: ids, lastUsedAt, GET /api/v2/service-tokens and
// POST /api/v2/service-token/revoke (both forms), the migration of token sets stored before ids,
// and the races between revocations, rotations, creates and use-recording.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  EVENT_SHAPES,
  ManualClock,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  sha256Base64url,
  signUp,
  TOKEN_ID,
  type Answer,
  type EventShape,
  type Harness,
} from '../support/harness.ts';
import {
  DENY,
  SECOND,
  allowedTokens,
  authorizeToken,
  createToken,
  idOf,
  introspect,
  iso,
  onlyCalls,
  rotate,
  rotateAsAdmin,
  rotateOk,
  rotateWithToken,
  spyOnDynamoDb,
  spyOnStores,
  tokenSet,
} from '../support/lifecycle.ts';
import { engineClient } from '../support/engine.ts';
import { startDynamoDbProxy } from '../support/ddb-proxy.ts';
import { captureOutput } from '../support/proof.ts';
import { legacyTokenId } from '../../lib/service-token/token.ts';

const LIST = '/api/v2/service-tokens';
const REVOKE = '/api/v2/service-token/revoke';
const MINUTE = 60 * SECOND;
/** The table without the tokens' use times. */
const withoutUseTimes = (items: Record<string, unknown>[]) =>
  JSON.parse(JSON.stringify(items, (key, value: unknown) => (key === 'lastUsedAt' ? undefined : value))) as unknown;
const NOT_FOUND = 'Service token not found';

const list = (harness: Harness, jwt: string | undefined, shape: EventShape = 'http-api'): Promise<Answer> =>
  call(harness.handlers.listServiceTokens, shape, { method: 'GET', path: LIST, ...(jwt === undefined ? {} : { headers: bearer(jwt) }) });

/** Form (a): the admin JWT and `{id}`; form (b): the service token as Bearer and `{}` (or `body`). */
const revokeById = (harness: Harness, jwt: string, body: unknown, shape: EventShape = 'http-api'): Promise<Answer> =>
  call(harness.handlers.revokeServiceToken, shape, { path: REVOKE, headers: bearer(jwt), body });
const revokeGrace = (harness: Harness, token: string, body: unknown = {}, shape: EventShape = 'http-api'): Promise<Answer> =>
  call(harness.handlers.revokeServiceToken, shape, { path: REVOKE, headers: bearer(token), body });

async function withAccount(clock = new ManualClock()) {
  const harness = await createHarness({ clock });
  const jwt = await signUp(harness);
  return { harness, jwt, clock };
}

/** current ← c, in grace: b (600 s), a (300 s); all three valid. */
async function threeTokens() {
  const world = await withAccount();
  const { harness, jwt, clock } = world;
  const a = await createToken(harness, jwt);
  clock.advance(SECOND);
  const b = await rotateOk(harness, 'b', jwt, a, 300);
  clock.advance(SECOND);
  const c = await rotateOk(harness, 'a', jwt, b, 600);
  const ids = { a: (await idOf(harness, a))!, b: (await idOf(harness, b))!, c: (await idOf(harness, c))! };
  return { ...world, a, b, c, ids };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('token ids', () => {
  test('create and rotate give each token its own id; a rotated token keeps its id; introspection, the authorizer and the listing agree', async () => {
    const { harness, jwt, a, b, c, ids } = await threeTokens();
    for (const id of Object.values(ids)) expect(id).toMatch(TOKEN_ID);
    expect(new Set(Object.values(ids)).size).toBe(3);
    expect((await introspect(harness, 'http-api', `Bearer ${a}`)).body.data.id).toBe(ids.a);
    expect((await authorizeToken(harness, b)).context).toMatchObject({ id: ids.b });
    expect((await list(harness, jwt)).body.data.map((t: { id: string }) => t.id)).toStrictEqual([ids.c, ids.b, ids.a]);
    const table = JSON.stringify(await harness.items());
    for (const token of [a, b, c]) expect(table).not.toContain(token);
  });

  test('a create that writes gives the token a new id, even when its value was current: a revoked id can never name a valid token', async () => {
    const { harness, jwt, c, ids } = await threeTokens();
    expect(await createToken(harness, jwt, c)).toBe(c);
    const id = await idOf(harness, c);
    expect(id).toMatch(TOKEN_ID);
    expect(id).not.toBe(ids.c);
    // Submitted again with nothing else valid: the documented no-op, the id stays.
    await createToken(harness, jwt, c);
    expect(await idOf(harness, c)).toBe(id);
  });
});

describe('token sets stored before ids existed', () => {
  /** The account item as an earlier version wrote it: tokens without id or lastUsedAt. */
  async function legacyWorld() {
    const world = await withAccount();
    const { harness, clock } = world;
    const [current, grace, expired] = [randomUUID(), randomUUID(), randomUUID()];
    const db = engineClient();
    const { Item } = await db.send(new GetCommand({ TableName: harness.tableName, Key: { pk: 'ACCOUNT' } }));
    const now = clock.now();
    const serviceTokens = {
      current: { digest: sha256Base64url(current), createdAt: now - 60 * MINUTE },
      retired: [
        { digest: sha256Base64url(grace), createdAt: now - 120 * MINUTE, expiresAt: now + 30 * MINUTE },
        { digest: sha256Base64url(expired), createdAt: now - 180 * MINUTE, expiresAt: now - MINUTE },
      ],
    };
    await db.send(new PutCommand({ TableName: harness.tableName, Item: { ...Item, serviceTokens, tokenRevision: 3 } }));
    const derived = { current: legacyTokenId(sha256Base64url(current)), grace: legacyTokenId(sha256Base64url(grace)) };
    return { ...world, db, current, grace, expired, derived };
  }

  test('are read with ids derived from their digests: the same on every read, listed, introspected, revocable', async () => {
    const { harness, jwt, current, grace, derived } = await legacyWorld();
    expect(derived.current).toMatch(TOKEN_ID);
    const first = await list(harness, jwt);
    expect(first.body.data.map((t: { id: string }) => t.id)).toStrictEqual([derived.current, derived.grace]);
    expect((await list(harness, jwt)).body).toStrictEqual(first.body);
    expect(first.raw).not.toContain(sha256Base64url(current));
    expect((await introspect(harness, 'http-api', `Bearer ${grace}`)).body.data.id).toBe(derived.grace);
    const revoked = await revokeById(harness, jwt, { id: derived.grace });
    expect(revoked.body).toStrictEqual({ data: { revoked: [derived.grace] } });
    expect(await allowedTokens(harness, [current, grace])).toStrictEqual([current]);
  });

  test('the next recorded use stores the token\'s id, as derived; the next write of the set stores every id', async () => {
    const { harness, jwt, clock, current, grace, expired, derived } = await legacyWorld();
    await authorizeToken(harness, grace);
    const afterUse = (await tokenSet(harness))!;
    expect(afterUse.retired).toStrictEqual([
      { id: derived.grace, digest: sha256Base64url(grace), createdAt: expect.any(Number), expiresAt: expect.any(Number), lastUsedAt: clock.now() },
      { digest: sha256Base64url(expired), createdAt: expect.any(Number), expiresAt: expect.any(Number) },
    ]);
    expect(afterUse.revision).toBe(3);

    const next = await rotateOk(harness, 'a', jwt, current, 60);
    const set = (await tokenSet(harness))!;
    expect(set.current).toMatchObject({ digest: sha256Base64url(next), id: expect.stringMatching(TOKEN_ID) });
    const retired = set.retired as { id: string; digest: string }[];
    expect(retired.map((t) => [t.digest, t.id])).toStrictEqual([
      [sha256Base64url(grace), derived.grace],
      [sha256Base64url(current), derived.current],
      [sha256Base64url(expired), legacyTokenId(sha256Base64url(expired))],
    ]);
  });
});

describe('lastUsedAt', () => {
  test('the first use records it (one read, one conditional update); within 5 minutes nothing more is written; from 5 minutes on again', async () => {
    const { harness, jwt, clock } = await withAccount();
    const token = await createToken(harness, jwt);
    const firstUse = clock.now();

    const dynamo = spyOnDynamoDb();
    expect((await authorizeToken(harness, token)).isAuthorized).toBe(true);
    const commands = dynamo.commands();
    expect(commands.map((c) => c.name)).toStrictEqual(['GetCommand', 'UpdateCommand']);
    expect(commands[1]!.input).toMatchObject({ ConditionExpression: expect.stringContaining('lastUsedAt <= :staleBefore') });
    // Only that token's attributes are set: neither the set nor its revision.
    expect(commands[1]!.input.UpdateExpression).toBe('SET serviceTokens.#current.lastUsedAt = :now, serviceTokens.#current.id = if_not_exists(serviceTokens.#current.id, :id)');
    jest.restoreAllMocks();
    expect((await list(harness, jwt)).body.data[0]).toMatchObject({ lastUsedAt: iso(firstUse) });

    for (const step of [MINUTE, 3 * MINUTE, MINUTE - 1]) {
      clock.advance(step);
      const stores = spyOnStores(harness.app);
      expect((await introspect(harness, 'http-api', `Bearer ${token}`)).statusCode).toBe(200);
      expect((await authorizeToken(harness, token)).isAuthorized).toBe(true);
      expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 2 }));
      jest.restoreAllMocks();
    }
    expect((await list(harness, jwt)).body.data[0]).toMatchObject({ lastUsedAt: iso(firstUse) });

    clock.advance(1);
    const stores = spyOnStores(harness.app);
    expect((await introspect(harness, 'http-api', `Bearer ${token}`)).statusCode).toBe(200);
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 1, 'serviceTokens.recordUse': 1 }));
    jest.restoreAllMocks();
    expect((await list(harness, jwt)).body.data[0]).toMatchObject({ lastUsedAt: iso(firstUse + 5 * MINUTE) });
  });

  test('a token in grace records its own use; rotation in form (b) records the old token\'s use in its own write; refused requests record nothing', async () => {
    const { harness, jwt, clock } = await withAccount();
    const a = await createToken(harness, jwt);
    clock.advance(MINUTE);
    const stores = spyOnStores(harness.app);
    const b = await rotateOk(harness, 'b', jwt, a, 3600);
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'serviceTokens.read': 1, 'serviceTokens.write': 1 }));
    jest.restoreAllMocks();
    const rotatedAt = clock.now();
    clock.advance(10 * MINUTE);
    await authorizeToken(harness, a);
    expect((await list(harness, jwt)).body.data).toStrictEqual([
      { id: await idOf(harness, b), status: 'current', createdAt: iso(rotatedAt), expiresAt: null, lastUsedAt: null },
      { id: await idOf(harness, a), status: 'grace', createdAt: expect.any(String), expiresAt: iso(rotatedAt + 3600 * SECOND), lastUsedAt: iso(clock.now()) },
    ]);
    const before = await harness.items();
    await authorizeToken(harness, randomUUID());
    expectError(await introspect(harness, 'http-api', 'Bearer garbage'), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('the use-recording write never undoes a create, rotation or revocation that landed after the read it was decided on', async () => {
    for (const landed of ['create', 'rotation', 'revocation of the token', 'revocation of another token'] as const) {
      const { harness, jwt, clock, b, c, ids } = await threeTokens();
      clock.advance(6 * MINUTE); // every recorded use is stale now; a's window (300 s) has passed, b's (600 s) not
      const stale = (await harness.app.serviceTokens.read())!;
      if (landed === 'create') await createToken(harness, jwt);
      if (landed === 'rotation') await rotateOk(harness, 'a', jwt, c, 60);
      if (landed === 'revocation of the token') expect((await revokeById(harness, jwt, { id: ids.c })).statusCode).toBe(200);
      if (landed === 'revocation of another token') expect((await revokeById(harness, jwt, { id: ids.b })).statusCode).toBe(200);
      const after = await harness.items();
      // The listing, not the authorizer: it records no use.
      const listed = async () => (await list(harness, jwt)).body.data.map((t: Record<string, unknown>) => [t.id, t.status, t.expiresAt]) as unknown;
      const validAfter = await listed();
      const now = clock.now();
      // Each token at the place it was read from (the store takes the place, not the standing, from it).
      const places = [
        { standing: 'active', key: stale.tokens.active[0]!, index: 0 } as const,
        ...stale.tokens.retired.map((key, index) => ({ standing: 'grace', key, index }) as const),
      ];
      const wrote = [];
      for (const place of places) wrote.push(await harness.app.serviceTokens.recordUse(place, now));
      // Whatever was written, it was a use time: the tokens, their windows and the revision are as
      // the create, rotation or revocation left them, and the same tokens are valid.
      expect(withoutUseTimes(await harness.items())).toStrictEqual(withoutUseTimes(after));
      expect(await listed()).toStrictEqual(validAfter);
      // A token that is gone from its place, or no longer valid, gets nothing written.
      if (landed === 'create') expect(wrote).toStrictEqual([false, false, false]);
      if (landed === 'rotation' || landed === 'revocation of the token') expect(wrote[0]).toBe(false);
      if (landed === 'revocation of the token') expect(await authorizeToken(harness, c)).toStrictEqual(DENY);
      if (landed === 'revocation of another token') {
        expect(wrote).toStrictEqual([true, false, false]);
        expect(await authorizeToken(harness, b)).toStrictEqual(DENY);
      }
    }
  });

  test('a failing use-recording write does not fail the request: allowed, WARN logged without secrets, nothing written', async () => {
    const proxy = await startDynamoDbProxy();
    try {
      const clock = new ManualClock();
      const harness = await createHarness({ clock, env: { DYNAMODB_ENDPOINT: proxy.endpoint }, logLevel: 'INFO' });
      const jwt = await signUp(harness);
      const token = await createToken(harness, jwt);
      await proxy.set({ kind: 'error', type: 'ThrottlingException' }, (c) => c.operation === 'UpdateItem');
      const { result, output } = await captureOutput(async () => [
        await authorizeToken(harness, token),
        await introspect(harness, 'direct', `Bearer ${token}`),
      ] as const);
      expect(result[0].isAuthorized).toBe(true);
      expect(result[1].statusCode).toBe(200);
      const warnings = output.split('\n').filter((line) => line.includes('lastUsedAt not recorded'));
      expect(warnings).toHaveLength(2);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'WARN', tokenId: await idOf(harness, token), error: expect.stringMatching(/ThrottlingException|AbortError/) });
      expect(output).not.toContain(token);
      expect(output).not.toContain(sha256Base64url(token));
      expect((await tokenSet(harness))!.current).not.toHaveProperty('lastUsedAt');

      // A slow engine: the write is given up after 1 s, the request is allowed.
      await proxy.set({ kind: 'delay', ms: 15_000 }, (c) => c.operation === 'UpdateItem');
      const started = performance.now();
      const slow = await captureOutput(() => authorizeToken(harness, token));
      expect(slow.result.isAuthorized).toBe(true);
      // ~1 s bound plus the read; without it, three 2 s attempts (6 s). Generous for a loaded machine.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(slow.output).toContain('lastUsedAt not recorded');
    } finally {
      await proxy.close();
    }
  }, 30_000);
});

describe.each(EVENT_SHAPES)('GET /api/v2/service-tokens over %s', (shape) => {
  test('every valid token: current first, then by expiresAt descending; ids, status and times, never a value or digest', async () => {
    const { harness, jwt, clock, a, b, c, ids } = await threeTokens();
    const d = await rotateOk(harness, 'a', jwt, c, 100);
    clock.advance(SECOND);
    const e = await rotateOk(harness, 'a', jwt, d, 0);
    const response = await list(harness, jwt, shape);
    expectCredential(response);
    const listed = response.body.data as Record<string, unknown>[];
    expect(listed.map((t) => [t.id, t.status])).toStrictEqual([
      [await idOf(harness, e), 'current'],
      [ids.b, 'grace'],
      [ids.a, 'grace'],
      [ids.c, 'grace'],
    ]);
    // d was rotated out with no grace: expired, not listed.
    expect(listed.map((t) => t.id)).not.toContain(await idOf(harness, d));
    expect(listed[0]).toStrictEqual({ id: await idOf(harness, e), status: 'current', createdAt: iso(clock.now()), expiresAt: null, lastUsedAt: null });
    expect(Object.keys(listed[1]!).sort()).toStrictEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'status']);
    for (const token of [a, b, c, d, e]) {
      expect(response.raw).not.toContain(token);
      expect(response.raw).not.toContain(sha256Base64url(token));
    }
  });

  test('before any token: an empty list; without a valid admin JWT: 401; a body with fields: 400', async () => {
    const { harness, jwt } = await withAccount();
    expect((await list(harness, jwt, shape)).body).toStrictEqual({ data: [] });
    expectError(await list(harness, undefined, shape), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    const token = await createToken(harness, jwt);
    expectError(await list(harness, token, shape), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    const withBody = await call(harness.handlers.listServiceTokens, shape, { method: 'GET', path: LIST, headers: bearer(jwt), body: { id: 'x' } });
    expectError(withBody, 400, 'INVALID_REQUEST_BODY', '"id" is not allowed');
  });
});

describe.each(EVENT_SHAPES)('POST /api/v2/service-token/revoke, form (a): admin JWT and {"id"}, over %s', (shape) => {
  test('a token in grace: 200 {"data":{"revoked":[id]}}; it stops working at once, the others keep working', async () => {
    const { harness, jwt, a, b, c, ids } = await threeTokens();
    const response = await revokeById(harness, jwt, { id: ids.b }, shape);
    expectCredential(response);
    expect(response.body).toStrictEqual({ data: { revoked: [ids.b] } });
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    expectError(await introspect(harness, shape, `Bearer ${b}`), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
    expect((await list(harness, jwt)).body.data.map((t: { id: string }) => t.id)).toStrictEqual([ids.c, ids.a]);
    // Kept as a tombstone: presenting it says "expired", not "unknown".
    expectError(await rotateAsAdmin(harness, shape, jwt, { token: b, expireAt: 0 }), 400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
    expectError(await revokeById(harness, jwt, { id: ids.b }, shape), 404, 'SERVICE_TOKEN_NOT_FOUND', NOT_FOUND);
  });

  test('the current token: the company has no current token until the next create; the tokens in grace keep working', async () => {
    const { harness, jwt, a, b, c, ids } = await threeTokens();
    expect((await revokeById(harness, jwt, { id: ids.c }, shape)).body).toStrictEqual({ data: { revoked: [ids.c] } });
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, b]);
    expect((await list(harness, jwt)).body.data.map((t: { status: string }) => t.status)).toStrictEqual(['grace', 'grace']);
    expectError(await rotateAsAdmin(harness, shape, jwt, { token: c, expireAt: 0 }), 400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
    expectError(await rotateWithToken(harness, shape, c, { expireAt: 0 }), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
    expectError(await rotateWithToken(harness, shape, b, { expireAt: 0 }), 400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
    const next = await createToken(harness, jwt);
    expect(await allowedTokens(harness, [a, b, c, next])).toStrictEqual([next]);
  });

  test('an unknown, expired or already revoked id: 404 SERVICE_TOKEN_NOT_FOUND, table unchanged', async () => {
    const { harness, jwt, clock, ids } = await threeTokens();
    clock.advance(301 * SECOND); // a's window has passed
    const before = await harness.items();
    for (const id of [ids.a, 'st_aaaaaaaaaaaaaaaa', 'nope', ids.c.toUpperCase()]) {
      expectError(await revokeById(harness, jwt, { id }, shape), 404, 'SERVICE_TOKEN_NOT_FOUND', NOT_FOUND);
    }
    expect(await harness.items()).toStrictEqual(before);
  });

  test('validation after authentication: no id, an empty or non-string id, extra fields', async () => {
    const { harness, jwt, ids } = await threeTokens();
    const before = await harness.items();
    expectError(await revokeById(harness, jwt, {}, shape), 400, 'INVALID_REQUEST_BODY', '"id" is required');
    expectError(await revokeById(harness, jwt, { id: '' }, shape), 400, 'INVALID_REQUEST_BODY', '"id" is not allowed to be empty');
    expectError(await revokeById(harness, jwt, { id: 7 }, shape), 400, 'INVALID_REQUEST_BODY', '"id" must be a string');
    expectError(await revokeById(harness, jwt, { id: ids.a, token: 'x' }, shape), 400, 'INVALID_REQUEST_BODY', '"token" is not allowed');
    expectError(
      await call(harness.handlers.revokeServiceToken, shape, { path: REVOKE, body: { id: ids.a } }),
      401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials',
    );
    expect(await harness.items()).toStrictEqual(before);
  });
});

describe.each(EVENT_SHAPES)('POST /api/v2/service-token/revoke, form (b): the current token as Bearer and {}, over %s', (shape) => {
  test('every token in grace stops working at once; the current one keeps working and its use is recorded', async () => {
    const { harness, jwt, clock, a, b, c, ids } = await threeTokens();
    const response = await revokeGrace(harness, c, {}, shape);
    expectCredential(response);
    expect(response.body.data.revoked.sort()).toStrictEqual([ids.a, ids.b].sort());
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([c]);
    expect((await list(harness, jwt)).body.data).toStrictEqual([
      { id: ids.c, status: 'current', createdAt: expect.any(String), expiresAt: null, lastUsedAt: iso(clock.now()) },
    ]);
  });

  test('nothing in grace: 200 {"revoked": []}, and the set is not rewritten (its revision stays)', async () => {
    const { harness, jwt } = await withAccount();
    const token = await createToken(harness, jwt);
    const revision = (await tokenSet(harness))!.revision;
    const response = await revokeGrace(harness, token, undefined, shape);
    expect(response.body).toStrictEqual({ data: { revoked: [] } });
    expect((await tokenSet(harness))!.revision).toBe(revision);
  });

  test('answers as rotation form (b): a token in grace 400 EXPIRED_SERVICE_TOKEN, unknown or expired 401; a body with fields 400', async () => {
    const { harness, clock, a, b, c } = await threeTokens();
    clock.advance(301 * SECOND);
    const before = await harness.items();
    expectError(await revokeGrace(harness, b, {}, shape), 400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
    expectError(await revokeGrace(harness, a, {}, shape), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
    expectError(await revokeGrace(harness, randomUUID(), {}, shape), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
    expectError(await revokeGrace(harness, c, { id: 'st_aaaaaaaaaaaaaaaa' }, shape), 400, 'INVALID_REQUEST_BODY', '"id" is not allowed');
    expect(await harness.items()).toStrictEqual(before);
  });
});

describe('races: nothing revoked ever comes back', () => {
  test('10 concurrent revocations of 10 different tokens: all 200, all revoked (a lost race is re-decided, not failed)', async () => {
    const { harness, jwt } = await withAccount();
    const tokens = [await createToken(harness, jwt)];
    for (let i = 1; i < 10; i++) tokens.push(await rotateOk(harness, 'b', jwt, tokens[i - 1]!, 3600));
    const ids = await Promise.all(tokens.map((t) => idOf(harness, t)));
    const responses = await Promise.all(ids.map((id) => revokeById(harness, jwt, { id })));
    responses.forEach((r, i) => expect(r.body).toStrictEqual({ data: { revoked: [ids[i]] } }));
    expect(await allowedTokens(harness, tokens)).toStrictEqual([]);
    expect((await list(harness, jwt)).body.data).toStrictEqual([]);
  });

  test('20-way: revocations (both forms) vs rotations (both forms) vs creates: every acknowledged revocation holds, and nothing revoked is valid', async () => {
    for (let round = 0; round < 3; round++) {
      const { harness, jwt, a, b, c, ids } = await threeTokens();
      const fresh = Array.from({ length: 4 }, () => randomUUID());
      const ops: (() => Promise<Answer>)[] = [
        ...[ids.a, ids.b, ids.c, ids.a, ids.b].map((id) => () => revokeById(harness, jwt, { id })),
        ...[0, 1, 2].map(() => () => revokeGrace(harness, c)),
        ...[0, 1, 2, 3].map((i) => () => rotate(harness, i % 2 ? 'a' : 'b', jwt, c, 600)),
        ...fresh.map((token) => () => call(harness.handlers.createServiceToken, 'http-api', { path: '/api/v2/service-token', headers: bearer(jwt), body: { token } })),
        ...[0, 1, 2, 3].map(() => () => authorizeToken(harness, a).then((r) => ({ statusCode: r.isAuthorized ? 200 : 401 } as Answer))),
      ];
      expect(ops).toHaveLength(20);
      const answers = await Promise.all(ops.map((op) => op()));
      for (const answer of answers) expect([200, 400, 401, 404]).toContain(answer.statusCode);

      const revoked = answers.flatMap((r) => (r.statusCode === 200 && r.body?.data?.revoked ? (r.body.data.revoked as string[]) : []));
      const valid = (await list(harness, jwt)).body.data.map((t: { id: string }) => t.id) as string[];
      expect(valid.filter((id) => revoked.includes(id))).toStrictEqual([]);
      const byId = new Map([[ids.a, a], [ids.b, b], [ids.c, c]]);
      const revokedTokens = revoked.map((id) => byId.get(id)).filter((t): t is string => t !== undefined);
      expect(await allowedTokens(harness, revokedTokens)).toStrictEqual([]);
      // And it stays so: every write that can follow starts from a set without them.
      const keys = answers.filter((r) => r.statusCode === 200 && typeof r.body?.key === 'string').map((r) => r.body.key as string);
      const survivors = await allowedTokens(harness, [a, b, c, ...keys]);
      for (const token of survivors) await rotate(harness, 'b', jwt, token, 60);
      await createToken(harness, jwt);
      expect(await allowedTokens(harness, revokedTokens)).toStrictEqual([]);
    }
  }, 60_000);
});

describe('DynamoDB calls', () => {
  test('listing: the admin check\'s one read; revocation: that read and one conditional write', async () => {
    const { harness, jwt, c, ids } = await threeTokens();
    let dynamo = spyOnDynamoDb();
    expect((await list(harness, jwt)).statusCode).toBe(200);
    expect(dynamo.commands().map((x) => x.name)).toStrictEqual(['GetCommand']);
    jest.restoreAllMocks();
    dynamo = spyOnDynamoDb();
    expect((await revokeById(harness, jwt, { id: ids.a })).statusCode).toBe(200);
    expect((await revokeGrace(harness, c)).statusCode).toBe(200);
    expect(dynamo.commands().map((x) => x.name)).toStrictEqual(['GetCommand', 'UpdateCommand', 'GetCommand', 'UpdateCommand']);
  });

  test('a revocation that lost a race reads again and decides again', async () => {
    const { harness, jwt, c, ids } = await threeTokens();
    const stale = (await harness.app.accounts.get())!;
    await rotateOk(harness, 'a', jwt, c, 60);
    jest.spyOn(harness.app.accounts, 'get').mockResolvedValueOnce(stale);
    const stores = spyOnStores(harness.app);
    expect((await revokeById(harness, jwt, { id: ids.c })).body).toStrictEqual({ data: { revoked: [ids.c] } });
    expect(stores.counts()).toStrictEqual(onlyCalls({ 'accounts.get': 1, 'serviceTokens.write': 2, 'serviceTokens.read': 1 }));
    jest.restoreAllMocks();
    expect((await authorizeToken(harness, c))).toStrictEqual(DENY);
  });
});
