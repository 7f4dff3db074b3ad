// CONTRACT §4 — POST /api/v2/service-token/rotate: both authentication forms, per-token grace
// windows on an injected clock, the 10-valid-token cap, races, and the DynamoDB calls it costs.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { v1 as uuidv1 } from 'uuid';
import {
  EVENT_SHAPES,
  ManualClock,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  header,
  sha256Base64url,
  signUp,
  TOKEN_ID,
  V4_UUID,
  type Harness,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';
import {
  DENY,
  FORMS,
  LIFECYCLE_PATHS,
  SECOND,
  allowedTokens,
  authorizeToken,
  createToken,
  expectTableUnchanged,
  introspect,
  iso,
  onlyCalls,
  rotate,
  rotateAsAdmin,
  rotateOk,
  rotateWithToken,
  spyOnDynamoDb,
  spyOnStores,
  idOf,
  tokenSet,
  type RotationForm,
} from '../support/lifecycle.ts';

const INVALID_TOKEN = 'Invalid Service Token';
const EXPIRED = 'Service token is already expired';
const UNAUTHENTICATED = 'Invalid or missing credentials';

/** A harness with an account (one sign-up) on its own clock. */
/** `token` is still allowed `seconds` s from now minus one second, and refused from `seconds` s on. */
async function expectWindowEnds(harness: Harness, clock: ManualClock, token: string, seconds: number): Promise<void> {
  clock.advance((seconds - 1) * SECOND);
  expect((await authorizeToken(harness, token)).isAuthorized).toBe(true);
  clock.advance(SECOND);
  expect(await authorizeToken(harness, token)).toStrictEqual(DENY);
}

async function withAccount(clock = new ManualClock()) {
  const harness = await createHarness({ clock });
  const jwt = await signUp(harness);
  const companyId = (await harness.app.accounts.get())!.companyId;
  return { harness, jwt, companyId, clock };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe.each(EVENT_SHAPES)('rotation over %s', (shape) => {
  let harness: Harness;
  let jwt: string;
  let companyId: string;
  let clock: ManualClock;

  beforeAll(async () => {
    ({ harness, jwt, companyId, clock } = await withAccount());
  });

  test.each(FORMS)(
    'form (%s): 200 {"key": a new random v4 UUID}; the old token moves into its grace window; the table holds digests only',
    async (form) => {
      const old = await createToken(harness, jwt);
      const createdAt = clock.now();
      const before = (await tokenSet(harness))!;
      const revision = before.revision as number;
      const oldId = (before.current as { id: string }).id;
      clock.advance(5 * SECOND);
      const rotatedAt = clock.now();

      const response = await rotate(harness, form, jwt, old, 60, shape);

      expectCredential(response);
      expect(header(response, 'WWW-Authenticate')).toBeUndefined();
      expect(response.body).toStrictEqual({ key: expect.stringMatching(V4_UUID) });
      const key = response.body.key as string;
      expect(key).not.toBe(old);

      const items = await harness.items();
      expect(await tokenSet(harness)).toStrictEqual({
        companyId,
        current: { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(key), createdAt: rotatedAt },
        // The old token keeps its id; form (b) authenticated with it, and its write records that use.
        retired: [
          { id: oldId, digest: sha256Base64url(old), createdAt, expiresAt: rotatedAt + 60 * SECOND, ...(form === 'b' ? { lastUsedAt: rotatedAt } : {}) },
        ],
        revision: revision + 1,
      });
      const newId = ((await tokenSet(harness))!.current as { id: string }).id;
      expect(newId).not.toBe(oldId);
      expect(JSON.stringify(items)).not.toContain(old);
      expect(JSON.stringify(items)).not.toContain(key);

      // Both work now: the new one as current, the old one inside its window.
      expect(await authorizeToken(harness, key)).toStrictEqual({ isAuthorized: true, context: { companyId, id: newId, createdAt: iso(rotatedAt) } });
      expect(await authorizeToken(harness, old)).toStrictEqual({
        isAuthorized: true,
        context: { companyId, id: oldId, createdAt: iso(createdAt), expiresAt: iso(rotatedAt + 60 * SECOND) },
      });
      const current = await introspect(harness, shape, `Bearer ${key}`);
      expectCredential(current);
      expect(current.body).toStrictEqual({ data: { companyId, id: newId, createdAt: iso(rotatedAt), expiresAt: null } });
      const inGrace = await introspect(harness, shape, `Bearer ${old}`);
      expect(inGrace.statusCode).toBe(200);
      expect(inGrace.body).toStrictEqual({ data: { companyId, id: oldId, createdAt: iso(createdAt), expiresAt: iso(rotatedAt + 60 * SECOND) } });
    },
  );

  test('form (a) with a token the company never had: 400 AUTHENTICATION_ERROR "Invalid Service Token", no challenge, table unchanged', async () => {
    await createToken(harness, jwt);
    const response = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, shape, jwt, { token: randomUUID(), expireAt: 60 }));
    expectError(response, 400, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });

  test('form (b) with a Bearer the company never had: 401 AUTHENTICATION_ERROR "Invalid Service Token" + WWW-Authenticate: Bearer, table unchanged', async () => {
    await createToken(harness, jwt);
    const response = await expectTableUnchanged(harness, () => rotateWithToken(harness, shape, randomUUID(), { expireAt: 60 }));
    expectError(response, 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });

  test.each(FORMS)('form (%s) with a token already rotated and still in grace: 400 EXPIRED_SERVICE_TOKEN, table unchanged', async (form) => {
    const old = await createToken(harness, jwt);
    await rotateOk(harness, 'b', jwt, old, 600);
    const response = await expectTableUnchanged(harness, () => rotate(harness, form, jwt, old, 60, shape));
    expectError(response, 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
  });

  test('a token past its window, still recorded in the item: form (a) 400 EXPIRED_SERVICE_TOKEN, form (b) 401 "Invalid Service Token"', async () => {
    const old = await createToken(harness, jwt);
    await rotateOk(harness, 'a', jwt, old, 1);
    clock.advance(SECOND);
    expect(JSON.stringify(await tokenSet(harness))).toContain(sha256Base64url(old));

    const asAdmin = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, shape, jwt, { token: old, expireAt: 60 }));
    expectError(asAdmin, 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    const asToken = await expectTableUnchanged(harness, () => rotateWithToken(harness, shape, old, { expireAt: 60 }));
    expectError(asToken, 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });

  test('without credentials: 401 AUTHENTICATION_ERROR, table unchanged', async () => {
    await createToken(harness, jwt);
    const response = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, shape, undefined, { token: randomUUID(), expireAt: 60 }));
    expectError(response, 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
  });

  test('validation: 400 INVALID_REQUEST_BODY with Joi\'s message, in both forms, table unchanged', async () => {
    const token = await createToken(harness, jwt);
    expectError(
      await expectTableUnchanged(harness, () => rotateAsAdmin(harness, shape, jwt, { token, expireAt: 604_801 })),
      400, 'INVALID_REQUEST_BODY', '"expireAt" must be less than or equal to 604800',
    );
    expectError(
      await expectTableUnchanged(harness, () => rotateWithToken(harness, shape, token, { token, expireAt: 60 })),
      400, 'INVALID_REQUEST_BODY', '"token" is not allowed',
    );
  });
});

describe('expireAt and body validation (http-api)', () => {
  let harness: Harness;
  let jwt: string;
  let token: string;

  beforeAll(async () => {
    ({ harness, jwt } = await withAccount());
    token = await createToken(harness, jwt);
  });

  const badExpireAt: [string, unknown, string][] = [
    ['missing', undefined, '"expireAt" is required'],
    ['above 7 days', 604_801, '"expireAt" must be less than or equal to 604800'],
    ['above 7 days, as a string', '604801', '"expireAt" must be less than or equal to 604800'],
    ['negative', -1, '"expireAt" must be greater than or equal to 0'],
    ['fractional', 1.5, '"expireAt" must be an integer'],
    ['a non-numeric string', 'abc', '"expireAt" must be a number'],
    ['an empty string', '', '"expireAt" must be a number'],
    ['a hexadecimal string', '0x10', '"expireAt" must be a number'],
    ['null', null, '"expireAt" must be a number'],
    ['a boolean', true, '"expireAt" must be a number'],
    ['an array', [60], '"expireAt" must be a number'],
    ['an object', { seconds: 60 }, '"expireAt" must be a number'],
  ];

  describe.each(FORMS)('form (%s)', (form) => {
    test.each(badExpireAt)('expireAt %s: 400 %j, table unchanged, token still current', async (_name, expireAt, message) => {
      const body = form === 'a' ? { token, ...(expireAt === undefined ? {} : { expireAt }) } : expireAt === undefined ? {} : { expireAt };
      const response = await expectTableUnchanged(harness, () =>
        form === 'a' ? rotateAsAdmin(harness, 'http-api', jwt, body) : rotateWithToken(harness, 'http-api', token, body),
      );
      expectError(response, 400, 'INVALID_REQUEST_BODY', message);
      const standing = await authorizeToken(harness, token);
      expect(standing.isAuthorized).toBe(true);
      expect(standing.context).not.toHaveProperty('expiresAt');
    });

    test('an unknown field: 400 "x" is not allowed', async () => {
      const body = form === 'a' ? { token, expireAt: 60, x: 1 } : { expireAt: 60, x: 1 };
      const response = await expectTableUnchanged(harness, () =>
        form === 'a' ? rotateAsAdmin(harness, 'http-api', jwt, body) : rotateWithToken(harness, 'http-api', token, body),
      );
      expectError(response, 400, 'INVALID_REQUEST_BODY', '"x" is not allowed');
    });

    test.each([
      ['not JSON', '{"expireAt": ', 400, 'INVALID_REQUEST_BODY', 'Request body must be valid JSON'],
      ['a JSON array', '[60]', 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object'],
    ] as const)('a body that is %s: %i %s', async (_name, body, status, code, message) => {
      const headers = bearer(form === 'a' ? jwt : token);
      const response = await expectTableUnchanged(harness, () =>
        call(harness.handlers.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, headers, body }),
      );
      expectError(response, status, code, message);
    });

    test('a non-JSON media type: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const headers = bearer(form === 'a' ? jwt : token);
      const response = await expectTableUnchanged(harness, () =>
        call(harness.handlers.rotateServiceToken, 'http-api', {
          path: LIFECYCLE_PATHS.rotate, headers, body: 'expireAt=60', contentType: 'application/x-www-form-urlencoded',
        }),
      );
      expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    });
  });

  test.each([
    ['missing', { expireAt: 60 }, '"token" is required'],
    ['not a UUID', { token: 'not-a-uuid', expireAt: 60 }, '"token" must be a valid GUID'],
    ['a v1 UUID', { token: uuidv1(), expireAt: 60 }, '"token" must be a valid GUID'],
    ['the nil UUID', { token: '00000000-0000-0000-0000-000000000000', expireAt: 60 }, '"token" must be a valid GUID'],
    ['a v4 UUID whose random part is all zeros', { token: '00000000-0000-4000-8000-000000000000', expireAt: 60 }, '"token" must be a valid GUID'],
  ])('form (a), token %s: 400 %j', async (_name, body, message) => {
    const response = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, 'http-api', jwt, body));
    expectError(response, 400, 'INVALID_REQUEST_BODY', message);
  });

  test('form (a) with no body at all: 400 "token" is required', async () => {
    const response = await expectTableUnchanged(harness, () =>
      call(harness.handlers.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, headers: bearer(jwt) }),
    );
    expectError(response, 400, 'INVALID_REQUEST_BODY', '"token" is required');
  });

  test('form (b) with the token repeated in the body: 400 "token" is not allowed', async () => {
    const response = await expectTableUnchanged(harness, () => rotateWithToken(harness, 'http-api', token, { token, expireAt: 60 }));
    expectError(response, 400, 'INVALID_REQUEST_BODY', '"token" is not allowed');
  });

  test.each([
    ['0', 0, 0],
    ['"0"', '0', 0],
    ['"30"', '30', 30],
    ['604800', 604_800, 604_800],
    ['"604800"', '604800', 604_800],
  ])('accepts expireAt %s in both forms: the old token expires exactly that many seconds from now', async (_name, expireAt, seconds) => {
    for (const form of FORMS) {
      const old = token;
      const now = harness.app.clock.now();
      token = await rotateOk(harness, form, jwt, old, expireAt);
      const retired = (await tokenSet(harness))!.retired as { digest: string; expiresAt: number }[];
      expect(retired.find((t) => t.digest === sha256Base64url(old))?.expiresAt).toBe(now + seconds * SECOND);
    }
  });
});

describe('authentication comes before the body (http-api)', () => {
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    ({ harness, jwt } = await withAccount());
    await createToken(harness, jwt);
  });

  const badBodies = [{ expireAt: 'abc' }, { token: 'nope', expireAt: -1, x: 1 }, '{"expireAt": ', '[]'];

  test.each([
    ['no Authorization header', undefined, UNAUTHENTICATED],
    ['a Basic credential', 'Basic YWRtaW46cGFzc3dvcmQ=', UNAUTHENTICATED],
    ['a garbage Bearer value', 'Bearer not.a.jwt', UNAUTHENTICATED],
    ['a UUID Bearer the company never had', `Bearer ${randomUUID()}`, INVALID_TOKEN],
  ])('%s with an invalid body: 401 %j', async (_name, authorization, message) => {
    for (const body of badBodies) {
      const response = await expectTableUnchanged(harness, () =>
        call(harness.handlers.rotateServiceToken, 'http-api', {
          path: LIFECYCLE_PATHS.rotate,
          ...(authorization === undefined ? {} : { headers: { authorization } }),
          body,
        }),
      );
      expectError(response, 401, 'AUTHENTICATION_ERROR', message);
    }
  });

  test('an expired admin JWT: 401, table unchanged', async () => {
    const now = Math.floor(harness.app.clock.now() / 1000);
    const expired = await forgeJwt(harness, { claims: { iat: now - 7200, exp: now - 3600 } });
    const token = (await createToken(harness, jwt));
    const response = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, 'http-api', expired, { token, expireAt: 60 }));
    expectError(response, 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
  });

  test('an admin JWT of a company that does not exist: 500 ACCOUNT_NOT_FOUND, table unchanged', async () => {
    const token = await createToken(harness, jwt);
    const other = await forgeJwt(harness, { claims: { companyId: randomUUID() } });
    const response = await expectTableUnchanged(harness, () => rotateAsAdmin(harness, 'http-api', other, { token, expireAt: 60 }));
    expectError(response, 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
  });

  test('form (a) before any service token was ever created: 400 AUTHENTICATION_ERROR "Invalid Service Token"', async () => {
    const fresh = await withAccount();
    const response = await expectTableUnchanged(fresh.harness, () =>
      rotateAsAdmin(fresh.harness, 'http-api', fresh.jwt, { token: randomUUID(), expireAt: 60 }),
    );
    expectError(response, 400, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    const asToken = await expectTableUnchanged(fresh.harness, () => rotateWithToken(fresh.harness, 'http-api', randomUUID(), { expireAt: 60 }));
    expectError(asToken, 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });
});

describe('grace windows on the injected clock', () => {
  test.each(FORMS)(
    'rotated in form (%s) with expireAt 60: the old token works at 59 s and 59.999 s, and is refused exactly at 60 s',
    async (form) => {
      const { harness, jwt, companyId, clock } = await withAccount();
      const old = await createToken(harness, jwt);
      const createdAt = clock.now();
      clock.advance(10 * SECOND);
      const rotatedAt = clock.now();
      const key = await rotateOk(harness, form, jwt, old, 60);
      const expiresAt = rotatedAt + 60 * SECOND;
      const oldId = await idOf(harness, old);
      const inGrace = { isAuthorized: true, context: { companyId, id: oldId, createdAt: iso(createdAt), expiresAt: iso(expiresAt) } };

      for (const at of [59 * SECOND, 60 * SECOND - 1]) {
        clock.advance(rotatedAt + at - clock.now());
        expect(await authorizeToken(harness, old)).toStrictEqual(inGrace);
        const described = await introspect(harness, 'http-api', `Bearer ${old}`);
        expect({ status: described.statusCode, body: described.body }).toStrictEqual({
          status: 200,
          body: { data: { companyId, id: oldId, createdAt: iso(createdAt), expiresAt: iso(expiresAt) } },
        });
      }

      clock.advance(expiresAt - clock.now());
      expect(clock.now()).toBe(expiresAt);
      expect(await authorizeToken(harness, old)).toStrictEqual(DENY);
      expectError(await introspect(harness, 'http-api', `Bearer ${old}`), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
      expectError(
        await expectTableUnchanged(harness, () => rotateAsAdmin(harness, 'http-api', jwt, { token: old, expireAt: 60 })),
        400, 'EXPIRED_SERVICE_TOKEN', EXPIRED,
      );
      expectError(
        await expectTableUnchanged(harness, () => rotateWithToken(harness, 'http-api', old, { expireAt: 60 })),
        401, 'AUTHENTICATION_ERROR', INVALID_TOKEN,
      );
      // The new token is unaffected, and expiry is judged at read time: the entry is still in the item.
      expect(await authorizeToken(harness, key)).toStrictEqual({
        isAuthorized: true,
        context: { companyId, id: await idOf(harness, key), createdAt: iso(rotatedAt) },
      });
      // Its last use: the rotation itself in form (b), else the first request inside the window.
      const lastUsedAt = form === 'b' ? rotatedAt : rotatedAt + 59 * SECOND;
      expect((await tokenSet(harness))!.retired).toStrictEqual([{ id: oldId, digest: sha256Base64url(old), createdAt, expiresAt, lastUsedAt }]);
    },
  );

  test.each(FORMS)('rotated in form (%s) with expireAt 0: the old token is refused at once', async (form) => {
    const { harness, jwt, companyId, clock } = await withAccount();
    const old = await createToken(harness, jwt);
    const key = await rotateOk(harness, form, jwt, old, 0);

    expect(await authorizeToken(harness, old)).toStrictEqual(DENY);
    expectError(await introspect(harness, 'http-api', `Bearer ${old}`), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    expectError(await rotateAsAdmin(harness, 'http-api', jwt, { token: old, expireAt: 0 }), 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    expectError(await rotateWithToken(harness, 'http-api', old, { expireAt: 0 }), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    expect(await authorizeToken(harness, key)).toStrictEqual({
      isAuthorized: true,
      context: { companyId, id: await idOf(harness, key), createdAt: iso(clock.now()) },
    });
    expect((await tokenSet(harness))!.retired).toStrictEqual([
      { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(old), createdAt: clock.now(), expiresAt: clock.now(), ...(form === 'b' ? { lastUsedAt: clock.now() } : {}) },
    ]);
  });

  test('expireAt "30" (a numeric string) gives a 30 s window: valid at 29 s, refused at 30 s', async () => {
    const { harness, jwt, clock } = await withAccount();
    const old = await createToken(harness, jwt);
    const rotatedAt = clock.now();
    const response = await rotateWithToken(harness, 'http-api', old, { expireAt: '30' });
    expectCredential(response);
    expect((await tokenSet(harness))!.retired).toStrictEqual([
      { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(old), createdAt: rotatedAt, expiresAt: rotatedAt + 30 * SECOND, lastUsedAt: rotatedAt },
    ]);
    await expectWindowEnds(harness, clock, old, 30);
  });

  test('expireAt 604800 (the maximum) gives 7 days: valid at 604799 s, refused at 604800 s', async () => {
    const { harness, jwt, clock } = await withAccount();
    const old = await createToken(harness, jwt);
    await rotateOk(harness, 'a', jwt, old, 604_800);
    await expectWindowEnds(harness, clock, old, 604_800);
  });

  test('each rotated token keeps its own window: A→B with 100 s, B→C with 10 s; at +11 s B is refused and A valid; at +100 s A is refused', async () => {
    const { harness, jwt, clock } = await withAccount();
    const a = await createToken(harness, jwt);
    const b = await rotateOk(harness, 'b', jwt, a, 100);
    const c = await rotateOk(harness, 'a', jwt, b, 10);

    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, b, c]);
    clock.advance(10 * SECOND - 1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, b, c]);
    clock.advance(1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    clock.advance(SECOND);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    clock.advance(89 * SECOND - 1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    clock.advance(1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([c]);
  });

  test('a later, shorter rotation does not shorten an earlier token\'s window (B→C with 0 s leaves A at its 100 s)', async () => {
    const { harness, jwt, clock } = await withAccount();
    const a = await createToken(harness, jwt);
    const b = await rotateOk(harness, 'a', jwt, a, 100);
    clock.advance(50 * SECOND);
    const c = await rotateOk(harness, 'b', jwt, b, 0);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    clock.advance(50 * SECOND - 1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, c]);
    clock.advance(1);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([c]);
  });
});

describe('concurrent rotations', () => {
  test.each(FORMS)(
    '10 concurrent rotations of the same token in form (%s): exactly one 200, nine 400 EXPIRED_SERVICE_TOKEN; one current token (the one returned) plus the old one in grace',
    async (form) => {
      const { harness, jwt, companyId, clock } = await withAccount();
      const old = await createToken(harness, jwt);
      const before = (await tokenSet(harness))!;

      const responses = await Promise.all(Array.from({ length: 10 }, () => rotate(harness, form, jwt, old, 300)));

      const winners = responses.filter((r) => r.statusCode === 200);
      expect(winners).toHaveLength(1);
      for (const loser of responses.filter((r) => r.statusCode !== 200)) expectError(loser, 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
      const key = winners[0]!.body.key as string;
      expect(key).toMatch(V4_UUID);

      expect(await tokenSet(harness)).toStrictEqual({
        companyId,
        current: { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(key), createdAt: clock.now() },
        retired: [
          {
            id: (before.current as { id: string }).id,
            digest: sha256Base64url(old),
            createdAt: clock.now(),
            expiresAt: clock.now() + 300 * SECOND,
            ...(form === 'b' ? { lastUsedAt: clock.now() } : {}),
          },
        ],
        revision: (before.revision as number) + 1,
      });
      expect(await allowedTokens(harness, [old, key])).toStrictEqual([old, key]);
    },
  );

  test('5 rotations in form (a) racing 5 in form (b), same token: exactly one 200', async () => {
    const { harness, jwt } = await withAccount();
    const old = await createToken(harness, jwt);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => rotate(harness, i % 2 ? 'a' : 'b', jwt, old, 300)));
    const winners = responses.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.statusCode !== 200)) expectError(loser, 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    const set = (await tokenSet(harness))!;
    expect(set.current).toStrictEqual({ id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(winners[0]!.body.key), createdAt: expect.any(Number) });
    expect(set.retired).toHaveLength(1);
  });

  // A deterministic lost race: the rotation decides on a read taken before another write landed.
  test.each([
    ['form (a), lost to another rotation', 'a', 'rotation'],
    ['form (b), lost to another rotation', 'b', 'rotation'],
    ['form (a), lost to a create', 'a', 'create'],
    ['form (b), lost to a create', 'b', 'create'],
  ] as const)('%s: 400 EXPIRED_SERVICE_TOKEN, and the winner\'s write is kept as is', async (_name, form, winner) => {
    const { harness, jwt } = await withAccount();
    const old = await createToken(harness, jwt);
    const staleAccount = (await harness.app.accounts.get())!;
    const staleTokens = (await harness.app.serviceTokens.read())!;

    const survivor = winner === 'rotation' ? await rotateOk(harness, 'b', jwt, old, 300) : await createToken(harness, jwt);
    const after = await harness.items();

    if (form === 'a') jest.spyOn(harness.app.accounts, 'get').mockResolvedValueOnce(staleAccount);
    else jest.spyOn(harness.app.serviceTokens, 'read').mockResolvedValueOnce(staleTokens);
    const stores = spyOnStores(harness.app);
    const dynamo = spyOnDynamoDb();

    const response = await rotate(harness, form, jwt, old, 300);

    expectError(response, 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    // The (stale) read and the conditional write that failed on its first attempt: no third call
    // (only a write the SDK retried is worth a read, to tell our own landed write from a conflict).
    expect(stores.counts()).toStrictEqual(
      onlyCalls(form === 'a' ? { 'accounts.get': 1, 'serviceTokens.write': 1 } : { 'serviceTokens.read': 1, 'serviceTokens.write': 1 }),
    );
    expect(dynamo.commands().map((c) => c.name)).toStrictEqual(['UpdateCommand']);
    jest.restoreAllMocks();
    expect(await harness.items()).toStrictEqual(after);
    expect((await authorizeToken(harness, survivor)).isAuthorized).toBe(true);
  });
});

describe('at most 10 valid tokens', () => {
  // Ten rotations from T0; rotation i (1…10) retires T(i-1) with grace(i) seconds.
  test.each([
    ['ascending grace: the first retired token (T0) is closest to expiry', (i: number) => 100 * i, 0],
    ['descending grace: the token retired last (T9) is closest to expiry', (i: number) => 1100 - 100 * i, 9],
  ])('%s and is pushed out by the 11th', async (_name, grace, pushedOut) => {
    const { harness, jwt, clock } = await withAccount();
    const tokens = [await createToken(harness, jwt)];
    for (let i = 1; i <= 9; i++) {
      tokens.push(await rotateOk(harness, i % 2 ? 'b' : 'a', jwt, tokens[i - 1]!, grace(i)));
    }
    expect(await allowedTokens(harness, tokens)).toStrictEqual(tokens);

    tokens.push(await rotateOk(harness, 'a', jwt, tokens[9]!, grace(10)));

    const valid = tokens.filter((_, i) => i !== pushedOut);
    expect(await allowedTokens(harness, tokens)).toStrictEqual(valid);
    expect(valid).toHaveLength(10);
    const set = (await tokenSet(harness))!;
    const retired = set.retired as { digest: string; createdAt: number; expiresAt: number }[];
    expect(retired).toHaveLength(10);
    expect(retired.filter((t) => t.expiresAt > clock.now())).toHaveLength(9);
    // The pushed-out token stays as a tombstone, ended now: it answers "expired", not "unknown".
    expect(retired.find((t) => t.digest === sha256Base64url(tokens[pushedOut]!))).toMatchObject({ expiresAt: clock.now() });
    const gone = tokens[pushedOut]!;
    expect(await authorizeToken(harness, gone)).toStrictEqual(DENY);
    expectError(await introspect(harness, 'http-api', `Bearer ${gone}`), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    expectError(await rotateAsAdmin(harness, 'http-api', jwt, { token: gone, expireAt: 60 }), 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    expectError(await rotateWithToken(harness, 'http-api', gone, { expireAt: 60 }), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
  });

  test('equal grace, rotated one second apart: the oldest retired is pushed out, and each later rotation pushes out the next oldest', async () => {
    const { harness, jwt, clock } = await withAccount();
    const tokens = [await createToken(harness, jwt)];
    for (let i = 1; i <= 12; i++) {
      clock.advance(SECOND);
      tokens.push(await rotateOk(harness, 'b', jwt, tokens[i - 1]!, 3600));
    }
    // 13 tokens issued: T0…T2 pushed out, T3…T12 valid.
    expect(await allowedTokens(harness, tokens)).toStrictEqual(tokens.slice(3));
  });

  test('expired tokens are kept as tombstones, at most 10 (the most recent): older ones become unknown', async () => {
    const { harness, jwt, clock } = await withAccount();
    const tokens = [await createToken(harness, jwt)];
    for (let i = 1; i <= 12; i++) {
      clock.advance(SECOND);
      tokens.push(await rotateOk(harness, i % 2 ? 'a' : 'b', jwt, tokens[i - 1]!, 0));
    }
    const retired = (await tokenSet(harness))!.retired as { digest: string }[];
    expect(retired.map((t) => t.digest).sort()).toStrictEqual(tokens.slice(2, 12).map(sha256Base64url).sort());
    for (const old of tokens.slice(0, 2)) {
      expectError(await rotateAsAdmin(harness, 'http-api', jwt, { token: old, expireAt: 0 }), 400, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    }
    for (const old of tokens.slice(2, 12)) {
      expectError(await rotateAsAdmin(harness, 'http-api', jwt, { token: old, expireAt: 0 }), 400, 'EXPIRED_SERVICE_TOKEN', EXPIRED);
    }
    expect(await allowedTokens(harness, tokens)).toStrictEqual([tokens[12]]);
  });

  test('the item stays bounded: after 25 long-grace rotations it holds 1 current + 9 in grace + 10 tombstones', async () => {
    const { harness, jwt, clock } = await withAccount();
    let token = await createToken(harness, jwt);
    for (let i = 1; i <= 25; i++) {
      clock.advance(SECOND);
      token = await rotateOk(harness, 'b', jwt, token, 3600);
    }
    const retired = (await tokenSet(harness))!.retired as { expiresAt: number }[];
    expect(retired).toHaveLength(19);
    expect(retired.filter((t) => t.expiresAt > clock.now())).toHaveLength(9);
  });
});

describe('a create after rotations', () => {
  test('POST /api/v2/service-token leaves only the created token valid, even against tokens inside their grace window', async () => {
    const { harness, jwt, companyId, clock } = await withAccount();
    const a = await createToken(harness, jwt);
    const b = await rotateOk(harness, 'a', jwt, a, 600);
    const c = await rotateOk(harness, 'b', jwt, b, 600);
    const d = await rotateOk(harness, 'a', jwt, c, 0);
    clock.advance(SECOND);
    expect(await allowedTokens(harness, [a, b, c, d])).toStrictEqual([a, b, d]);

    const e = await createToken(harness, jwt);

    expect(await allowedTokens(harness, [a, b, c, d, e])).toStrictEqual([e]);
    expect(await tokenSet(harness)).toStrictEqual({
      companyId,
      current: { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(e), createdAt: clock.now(), lastUsedAt: clock.now() },
      retired: [],
      revision: expect.any(Number),
    });
    for (const old of [a, b, c, d]) {
      expectError(await introspect(harness, 'http-api', `Bearer ${old}`), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
      // Gone from the item altogether: "unknown", not "expired".
      expectError(await rotateAsAdmin(harness, 'http-api', jwt, { token: old, expireAt: 60 }), 400, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
      expectError(await rotateWithToken(harness, 'http-api', old, { expireAt: 60 }), 401, 'AUTHENTICATION_ERROR', INVALID_TOKEN);
    }
  });

  test('re-submitting the current token after rotations also ends every grace window', async () => {
    const { harness, jwt } = await withAccount();
    const a = await createToken(harness, jwt);
    const b = await rotateOk(harness, 'b', jwt, a, 600);
    const c = await rotateOk(harness, 'b', jwt, b, 600);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, b, c]);

    expect(await createToken(harness, jwt, c)).toBe(c);

    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([c]);
    expect((await tokenSet(harness))!.retired).toStrictEqual([]);
  });
});

describe('the new key', () => {
  test('is a random v4 UUID, different every time, never an earlier token; only digests reach the table', async () => {
    const { harness, jwt } = await withAccount();
    const tokens = [await createToken(harness, jwt)];
    for (let i = 1; i <= 8; i++) tokens.push(await rotateOk(harness, FORMS[i % 2]!, jwt, tokens[i - 1]!, 600));

    for (const key of tokens.slice(1)) expect(key).toMatch(V4_UUID);
    expect(new Set(tokens).size).toBe(tokens.length);
    const table = JSON.stringify(await harness.items());
    for (const token of tokens) {
      expect(table).not.toContain(token);
      expect(table).not.toContain(token.replaceAll('-', ''));
      expect(table).not.toContain(token.toUpperCase());
    }
    const set = (await tokenSet(harness))!;
    expect(set.current).toMatchObject({ digest: sha256Base64url(tokens[8]!) });
    expect((set.retired as { digest: string }[]).map((t) => t.digest).sort()).toStrictEqual(tokens.slice(0, 8).map(sha256Base64url).sort());
  });

  test.each([
    ['uppercase', (t: string) => t.toUpperCase()],
    ['braced', (t: string) => `{${t}}`],
    ['unhyphenated', (t: string) => t.replaceAll('-', '')],
  ])('the current token in %s spelling is the same token, in both forms', async (_name, spell) => {
    const { harness, jwt } = await withAccount();
    const a = await createToken(harness, jwt);
    const b = await rotateOk(harness, 'a', jwt, spell(a), 60);
    const c = await rotateOk(harness, 'b', jwt, spell(b), 60);
    expect(await allowedTokens(harness, [a, b, c])).toStrictEqual([a, b, c]);
    expect((await tokenSet(harness))!.current).toMatchObject({ digest: sha256Base64url(c) });
  });
});

describe('DynamoDB calls per rotation', () => {
  let harness: Harness;
  let jwt: string;
  let token: string;

  beforeAll(async () => {
    ({ harness, jwt } = await withAccount());
    token = await createToken(harness, jwt);
  });

  test.each([
    ['a', { 'accounts.get': 1, 'serviceTokens.write': 1 }],
    ['b', { 'serviceTokens.read': 1, 'serviceTokens.write': 1 }],
  ] as const)('form (%s): one strongly consistent read and one conditional write', async (form, expected) => {
    const stores = spyOnStores(harness.app);
    const dynamo = spyOnDynamoDb();

    const response = await rotate(harness, form as RotationForm, jwt, token, 60);

    expectCredential(response);
    token = response.body.key as string;
    expect(stores.counts()).toStrictEqual(onlyCalls(expected));
    const commands = dynamo.commands();
    expect(commands.map((c) => c.name)).toStrictEqual(['GetCommand', 'UpdateCommand']);
    expect(commands[0]!.input).toMatchObject({ ConsistentRead: true });
    expect(commands[1]!.input).toHaveProperty('ConditionExpression');
  });

  test.each([
    ['a', 'an unknown token', { 'accounts.get': 1 }],
    ['b', 'an unknown token', { 'serviceTokens.read': 1 }],
    ['a', 'a token in grace', { 'accounts.get': 1 }],
    ['b', 'a token in grace', { 'serviceTokens.read': 1 }],
  ] as const)('form (%s) refused for %s: one read, no write', async (form, what, expected) => {
    let presented: string = randomUUID();
    if (what === 'a token in grace') {
      presented = token;
      token = await rotateOk(harness, 'b', jwt, token, 600);
    }
    const stores = spyOnStores(harness.app);
    const dynamo = spyOnDynamoDb();
    const response = await rotate(harness, form, jwt, presented, 60);
    expect(response.statusCode).toBe(form === 'b' && what === 'an unknown token' ? 401 : 400);
    expect(stores.counts()).toStrictEqual(onlyCalls(expected));
    expect(dynamo.commands().map((c) => c.name)).toStrictEqual(['GetCommand']);
  });

  test.each(FORMS)('form (%s) with an invalid body: the authentication read only, no write', async (form) => {
    const stores = spyOnStores(harness.app);
    const response = await rotate(harness, form, jwt, token, -1);
    expectError(response, 400, 'INVALID_REQUEST_BODY', '"expireAt" must be greater than or equal to 0');
    expect(stores.counts()).toStrictEqual(onlyCalls(form === 'a' ? { 'accounts.get': 1 } : { 'serviceTokens.read': 1 }));
  });
});

describe('configuration and failures', () => {
  test.each(FORMS)('not self-hosted: form (%s) answers 500 SELFHOSTED_APP_ERROR before touching the store', async (form) => {
    const harness = await createHarness({ env: { SELF_HOSTED: 'false' } });
    const jwt = await forgeJwt(harness);
    const stores = spyOnStores(harness.app);
    const response = await rotate(harness, form, jwt, randomUUID(), 60);
    expectError(response, 500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances');
    expect(stores.counts()).toStrictEqual(onlyCalls({}));
    expect(await harness.items()).toStrictEqual([]);
  });

  test.each(FORMS)('a failing store: form (%s) answers 500 INTERNAL_SERVER_ERROR with nothing internal in the body', async (form) => {
    const harness = await createHarness({ createTable: false });
    const jwt = await forgeJwt(harness);
    const response = await rotate(harness, form, jwt, randomUUID(), 60);
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    expect(response.raw).not.toContain(harness.tableName);
    expect(response.raw).not.toMatch(/ResourceNotFound|DynamoDB|stack/i);
  });
});
