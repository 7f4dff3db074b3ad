// CONTRACT §5 — POST /api/v2/service-token/reset-password: checks the current password, changes it,
// and revokes every admin JWT issued before (the caller's included).
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  ADMIN,
  EVENT_SHAPES,
  ManualClock,
  PATHS,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  header,
  signUp,
  type Harness,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';
import {
  LIFECYCLE_PATHS,
  SECOND,
  authorizeToken,
  createToken,
  expectTableUnchanged,
  introspect,
  onlyCalls,
  resetPassword,
  rotateAsAdmin,
  signIn,
  spyOnStores,
} from '../support/lifecycle.ts';

const NEW_PASSWORD = 'N3w!Passw0rd-2026';
const UNAUTHENTICATED = 'Invalid or missing credentials';

const accountItem = (items: Record<string, unknown>[]) => items.find((item) => item.pk === 'ACCOUNT')!;

afterEach(() => {
  jest.restoreAllMocks();
});

describe.each(EVENT_SHAPES)('a successful reset over %s', (shape) => {
  const clock = new ManualClock();
  let harness: Harness;
  let issuedAtSignUp: string;
  let earlier: string;
  let used: string;
  let token: string;
  let before: Record<string, unknown>[];
  let response: Awaited<ReturnType<typeof resetPassword>>;

  beforeAll(async () => {
    harness = await createHarness({ clock });
    issuedAtSignUp = await signUp(harness);
    clock.advance(SECOND);
    earlier = (await signIn(harness, ADMIN.email, ADMIN.password)).body.data.accessToken;
    clock.advance(SECOND);
    used = (await signIn(harness, ADMIN.email, ADMIN.password)).body.data.accessToken;
    token = await createToken(harness, earlier);
    clock.advance(SECOND);
    before = await harness.items();
    response = await resetPassword(harness, shape, used, { currentPassword: ADMIN.password, password: NEW_PASSWORD });
  });

  test('answers 200 {"data":{"success":true}}', () => {
    expectCredential(response);
    expect(response.raw).toBe('{"data":{"success":true}}');
  });

  test('changes only the password hash and bumps the credential version by one', async () => {
    const items = await harness.items();
    const account = accountItem(items);
    const previous = accountItem(before);
    expect(items).toHaveLength(before.length);
    expect(account).toStrictEqual({ ...previous, passwordHash: expect.any(String), credentialVersion: (previous.credentialVersion as number) + 1 });
    expect(account.passwordHash).not.toBe(previous.passwordHash);
    expect(JSON.stringify(items)).not.toContain(NEW_PASSWORD);
  });

  test.each([
    ['the JWT used for the reset', () => used],
    ['a JWT issued by an earlier sign-in', () => earlier],
    ['the JWT issued at sign-up', () => issuedAtSignUp],
  ])('%s now gets 401 on POST /api/v2/service-token, on rotate form (a) and on reset; table unchanged', async (_name, jwt) => {
    await expectTableUnchanged(harness, async () => {
      expectError(
        await call(harness.handlers.createServiceToken, shape, { path: PATHS.serviceToken, headers: bearer(jwt()), body: { token: randomUUID() } }),
        401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED,
      );
      expectError(await rotateAsAdmin(harness, shape, jwt(), { token, expireAt: 60 }), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
      expectError(
        await resetPassword(harness, shape, jwt(), { currentPassword: NEW_PASSWORD, password: 'An0ther!Passw0rd' }),
        401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED,
      );
    });
  });

  test('the service token is not an admin credential: it keeps working', async () => {
    expect((await authorizeToken(harness, token)).isAuthorized).toBe(true);
    expect((await introspect(harness, shape, `Bearer ${token}`)).statusCode).toBe(200);
  });

  test('a fresh sign-in with the new password works (same second as the reset), and its JWT is accepted', async () => {
    const fresh = await signIn(harness, ADMIN.email, NEW_PASSWORD);
    expectCredential(fresh);
    const jwt = fresh.body.data.accessToken as string;
    expectCredential(await rotateAsAdmin(harness, shape, jwt, { token, expireAt: 60 }));
    expect(await createToken(harness, jwt)).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the old password: 400 INVALID_CREDENTIALS', async () => {
    expectError(await signIn(harness, ADMIN.email, ADMIN.password), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
  });
});

describe('refused resets leave the table exactly as it was (http-api)', () => {
  const clock = new ManualClock();
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    harness = await createHarness({ clock });
    jwt = await signUp(harness);
  });

  const refuse = (authorization: string | undefined, body: unknown) =>
    expectTableUnchanged(harness, () =>
      call(harness.handlers.resetAdminPassword, 'http-api', {
        path: LIFECYCLE_PATHS.resetPassword,
        ...(authorization === undefined ? {} : { headers: { authorization } }),
        body,
      }),
    );

  /** A refused reset that counts a wrong current password: the table changes by that count only. */
  const countWrong = async (body: unknown) => {
    const before = await harness.items();
    const response = await call(harness.handlers.resetAdminPassword, 'http-api', { path: LIFECYCLE_PATHS.resetPassword, headers: bearer(jwt), body });
    const after = await harness.items();
    expect(after.filter((item) => item.pk !== RESET_COUNTER)).toStrictEqual(before.filter((item) => item.pk !== RESET_COUNTER));
    const counted = (items: Record<string, unknown>[]) => (items.find((item) => item.pk === RESET_COUNTER)?.attempts as number | undefined) ?? 0;
    expect(counted(after)).toBe(counted(before) + 1);
    return response;
  };
  let RESET_COUNTER: string;
  beforeAll(async () => {
    RESET_COUNTER = `RESET#${accountItem(await harness.items()).adminId as string}`;
  });

  test('a wrong current password: 400 RESET_PASSWORD_ERROR "The current password is not correct!", and counted', async () => {
    const response = await countWrong({ currentPassword: 'Wr0ng!Passw0rd', password: NEW_PASSWORD });
    expectError(response, 400, 'RESET_PASSWORD_ERROR', 'The current password is not correct!');
  });

  test('the new password equal to the current one: 400 RESET_PASSWORD_ERROR "The new password must be different from the current password"', async () => {
    const response = await refuse(`Bearer ${jwt}`, { currentPassword: ADMIN.password, password: ADMIN.password });
    expectError(response, 400, 'RESET_PASSWORD_ERROR', 'The new password must be different from the current password');
  });

  test('a wrong current password repeated as the new one: the current password is checked first', async () => {
    const response = await countWrong({ currentPassword: 'Wr0ng!Passw0rd', password: 'Wr0ng!Passw0rd' });
    expectError(response, 400, 'RESET_PASSWORD_ERROR', 'The current password is not correct!');
  });

  test.each([
    ['no uppercase', { currentPassword: ADMIN.password, password: 'weak!passw0rd' }, '"password" should contain at least 1 uppercase character'],
    ['no lowercase', { currentPassword: ADMIN.password, password: 'WEAK!PASSW0RD' }, '"password" should contain at least 1 lowercase character'],
    ['no digit', { currentPassword: ADMIN.password, password: 'Weak!Password' }, '"password" should contain at least 1 numeric character'],
    ['no special character', { currentPassword: ADMIN.password, password: 'WeakPassw0rd' }, '"password" should contain at least 1 special character'],
    ['whitespace', { currentPassword: ADMIN.password, password: 'Weak! Passw0rd' }, '"password" should not contain white spaces'],
    ['too short', { currentPassword: ADMIN.password, password: 'Sh0rt!' }, '"password" length must be at least 8 characters long'],
    ['too long', { currentPassword: ADMIN.password, password: `A1!${'a'.repeat(126)}` }, '"password" length must be less than or equal to 128 characters long'],
    ['not a string', { currentPassword: ADMIN.password, password: 12345678 }, '"password" must be a string'],
    ['missing', { currentPassword: ADMIN.password }, '"password" is required'],
    ['missing current password', { password: NEW_PASSWORD }, '"currentPassword" is required'],
    ['empty current password', { currentPassword: '', password: NEW_PASSWORD }, '"currentPassword" is not allowed to be empty'],
    ['an unknown field', { currentPassword: ADMIN.password, password: NEW_PASSWORD, x: 1 }, '"x" is not allowed'],
    ['an old-style field name', { oldPassword: ADMIN.password, password: NEW_PASSWORD }, '"currentPassword" is required'],
  ])('validation, %s: 400 INVALID_REQUEST_BODY %j', async (_name, body, message) => {
    expectError(await refuse(`Bearer ${jwt}`, body), 400, 'INVALID_REQUEST_BODY', message);
  });

  test.each([
    ['not JSON', '{"password": ', 400, 'INVALID_REQUEST_BODY', 'Request body must be valid JSON'],
    ['a JSON array', '[]', 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object'],
  ] as const)('a body that is %s: %i %s', async (_name, body, status, code, message) => {
    expectError(await refuse(`Bearer ${jwt}`, body), status, code, message);
  });

  test.each([
    ['no Authorization header', () => undefined],
    ['a Basic credential', () => 'Basic YWRhQGFjbWUtY29ycC5jb206U3RyMG5nIVBhc3N3MHJk'],
    ['a garbage Bearer value', () => 'Bearer not.a.jwt'],
    ['a service-token UUID as Bearer', () => `Bearer ${randomUUID()}`],
    ['the admin JWT with the Basic scheme', () => `Basic ${jwt}`],
  ])('unauthenticated (%s): 401 AUTHENTICATION_ERROR, before the body is looked at', async (_name, authorization) => {
    for (const body of [{ currentPassword: ADMIN.password, password: NEW_PASSWORD }, { password: 'weak' }, '{"x": ']) {
      expectError(await refuse(authorization(), body), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    }
  });

  test('an expired admin JWT: 401', async () => {
    const now = Math.floor(clock.now() / 1000);
    const expired = await forgeJwt(harness, { claims: { iat: now - 7200, exp: now - 3600 } });
    expectError(await refuse(`Bearer ${expired}`, { currentPassword: ADMIN.password, password: NEW_PASSWORD }), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
  });

  test('an admin JWT carrying another credential version: 401', async () => {
    const stale = await forgeJwt(harness, { claims: { cv: 0 } });
    expectError(await refuse(`Bearer ${stale}`, { currentPassword: ADMIN.password, password: NEW_PASSWORD }), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
  });

  test('an admin JWT of a company that does not exist: 500 ACCOUNT_NOT_FOUND', async () => {
    const other = await forgeJwt(harness, { claims: { companyId: randomUUID() } });
    expectError(await refuse(`Bearer ${other}`, { currentPassword: ADMIN.password, password: NEW_PASSWORD }), 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
  });

  test('after all of these, the JWT still works and the original password still signs in', async () => {
    expectCredential(await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } }));
    expectCredential(await signIn(harness, ADMIN.email, ADMIN.password));
    expect(accountItem(await harness.items()).credentialVersion).toBe(1);
  });
});

describe('wrong current passwords: 5 per admin in 15 minutes, then 429 TOO_MANY_ATTEMPTS with Retry-After', () => {
  const LOCKED = 'Too many failed password reset attempts, try again later';
  const WRONG = 'The current password is not correct!';
  const WINDOW_MS = 15 * 60 * SECOND;
  const wrong = { currentPassword: 'Wr0ng!Passw0rd', password: NEW_PASSWORD };
  const right = { currentPassword: ADMIN.password, password: NEW_PASSWORD };

  test('the 6th attempt, even with the right password, is refused with 429 and changes nothing; so is one with another JWT; after the window the reset works', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    const jwt = await signUp(harness);
    expectError(await resetPassword(harness, 'http-api', jwt, wrong), 400, 'RESET_PASSWORD_ERROR', WRONG);
    clock.advance(60 * SECOND);
    for (let i = 2; i <= 5; i++) expectError(await resetPassword(harness, 'http-api', jwt, wrong), 400, 'RESET_PASSWORD_ERROR', WRONG);

    const before = await harness.items();
    const locked = await resetPassword(harness, 'http-api', jwt, right);
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    expect(header(locked, 'Retry-After')).toBe('840');
    expect(await harness.items()).toStrictEqual(before);

    // Per admin, not per JWT or event shape: a fresh JWT from a sign-in is refused as well.
    const another = (await signIn(harness, ADMIN.email, ADMIN.password)).body.data.accessToken as string;
    for (const shape of EVENT_SHAPES) expectError(await resetPassword(harness, shape, another, right), 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    expect(accountItem(await harness.items()).credentialVersion).toBe(1);

    clock.advance(WINDOW_MS - 60 * SECOND);
    expectCredential(await resetPassword(harness, 'http-api', another, right));
    expectCredential(await signIn(harness, ADMIN.email, NEW_PASSWORD));
  }, 60_000);

  test('a right current password forgets the failures before it', async () => {
    const harness = await createHarness();
    const jwt = await signUp(harness);
    for (let i = 0; i < 4; i++) expectError(await resetPassword(harness, 'http-api', jwt, wrong), 400, 'RESET_PASSWORD_ERROR', WRONG);
    expectCredential(await resetPassword(harness, 'http-api', jwt, right));
    expect((await harness.items()).filter((item) => item.pk !== 'ACCOUNT')).toStrictEqual([]);
    const fresh = (await signIn(harness, ADMIN.email, NEW_PASSWORD)).body.data.accessToken as string;
    const again = { currentPassword: 'Wr0ng!Passw0rd', password: 'An0ther!Passw0rd' };
    for (let i = 0; i < 5; i++) expectError(await resetPassword(harness, 'http-api', fresh, again), 400, 'RESET_PASSWORD_ERROR', WRONG);
    expectError(await resetPassword(harness, 'http-api', fresh, again), 429, 'TOO_MANY_ATTEMPTS', LOCKED);
  }, 60_000);

  test('8 concurrent wrong current passwords: exactly 5 are checked, 3 get 429', async () => {
    const harness = await createHarness();
    const jwt = await signUp(harness);
    const answers = await Promise.all(Array.from({ length: 8 }, () => resetPassword(harness, 'http-api', jwt, wrong)));
    const checked = answers.filter((a) => a.statusCode === 400);
    const locked = answers.filter((a) => a.statusCode === 429);
    expect([checked.length, locked.length]).toEqual([5, 3]);
    checked.forEach((a) => expectError(a, 400, 'RESET_PASSWORD_ERROR', WRONG));
    locked.forEach((a) => expectError(a, 429, 'TOO_MANY_ATTEMPTS', LOCKED));
  }, 60_000);
});

describe('two concurrent resets with the same JWT', () => {
  test('exactly one 200, the other 401 (its JWT was just revoked); the version moves by one and only the winner\'s password signs in', async () => {
    const harness = await createHarness();
    const jwt = await signUp(harness);
    const passwords = ['F1rst!Passw0rd', 'Sec0nd!Passw0rd'];

    const responses = await Promise.all(
      passwords.map((password) => resetPassword(harness, 'http-api', jwt, { currentPassword: ADMIN.password, password })),
    );

    const winner = responses.findIndex((r) => r.statusCode === 200);
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(responses[winner]!.body).toStrictEqual({ data: { success: true } });
    expectError(responses[1 - winner]!, 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    expect(accountItem(await harness.items()).credentialVersion).toBe(2);
    expectCredential(await signIn(harness, ADMIN.email, passwords[winner]!));
    expectError(await signIn(harness, ADMIN.email, passwords[1 - winner]!), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
  });
});

describe('configuration and failures', () => {
  test('not self-hosted: 500 SELFHOSTED_APP_ERROR before anything else, without touching the store', async () => {
    const harness = await createHarness({ env: { SELF_HOSTED: 'false' } });
    const jwt = await forgeJwt(harness);
    const stores = spyOnStores(harness.app);
    for (const authorization of [`Bearer ${jwt}`, undefined]) {
      const response = await call(harness.handlers.resetAdminPassword, 'http-api', {
        path: LIFECYCLE_PATHS.resetPassword,
        ...(authorization === undefined ? {} : { headers: { authorization } }),
        body: '{"not json',
      });
      expectError(response, 500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances');
    }
    expect(stores.counts()).toStrictEqual(onlyCalls({}));
  });

  test('a failing store: 500 INTERNAL_SERVER_ERROR with nothing internal in the body', async () => {
    const harness = await createHarness({ createTable: false });
    const response = await resetPassword(harness, 'http-api', await forgeJwt(harness), { currentPassword: ADMIN.password, password: NEW_PASSWORD });
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    expect(response.raw).not.toContain(harness.tableName);
  });
});
