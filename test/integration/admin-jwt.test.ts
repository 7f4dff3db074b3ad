// CONTRACT §2 — POST /api/v2/admin-account/jwt: sign-in, uniform failures, lock-out.
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
  jwtPayload,
  signUp,
  type EventShape,
  type Harness,
} from '../support/harness.ts';

const WINDOW_MS = 15 * 60 * 1000;
const LOCKED = 'Too many failed sign-in attempts, try again later';

let ipCounter = 0;
/** A client address no other test uses, so each test has its own lock-out bucket. */
const freshIp = () => `198.51.100.${++ipCounter}`;

const signInOn = (harness: Harness, shape: EventShape, body: unknown, sourceIp?: string) =>
  call(harness.handlers.createAdminJwt, shape, { path: PATHS.adminJwt, body, ...(sourceIp ? { sourceIp } : {}) });

const attemptItems = async (harness: Harness) =>
  (await harness.items()).filter((item) => String(item.pk).startsWith('SIGNIN#'));

describe.each(EVENT_SHAPES)('POST /api/v2/admin-account/jwt over %s', (shape) => {
  let harness: Harness;
  let signUpJwt: string;

  beforeAll(async () => {
    harness = await createHarness();
    signUpJwt = await signUp(harness);
  });

  test('signs the admin in: 200 with a new admin JWT that works on POST /api/v2/service-token, and leaves no attempt record', async () => {
    const before = await harness.items();
    const response = await signInOn(harness, shape, { email: ADMIN.email, password: ADMIN.password }, freshIp());

    expectCredential(response);
    expect(response.body).toStrictEqual({ data: { accessToken: expect.any(String) } });
    const jwt = response.body.data.accessToken as string;
    const account = before.find((item) => item.pk === 'ACCOUNT')!;
    expect(jwtPayload(jwt)).toMatchObject({ sub: account.adminId, companyId: account.companyId, role: 'admin', cv: 1 });
    expect(jwtPayload(jwt).jti).not.toBe(jwtPayload(signUpJwt).jti);
    expect(await harness.items()).toStrictEqual(before);

    const upsert = await call(harness.handlers.createServiceToken, shape, {
      path: PATHS.serviceToken,
      headers: bearer(jwt),
      body: { token: '5f0c3a8e-2b7d-4c1e-8a9f-3d6e1b2c4a5f' },
    });
    expectCredential(upsert);
  });

  test('a wrong password and an unknown email get the same 400 INVALID_CREDENTIALS answer', async () => {
    const ip = freshIp();
    const wrongPassword = await signInOn(harness, shape, { email: ADMIN.email, password: 'Wr0ng!Password' }, ip);
    const unknownEmail = await signInOn(harness, shape, { email: 'nobody@acme-corp.com', password: ADMIN.password }, ip);

    expectError(wrongPassword, 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    expectError(unknownEmail, 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    expect(unknownEmail.raw).toBe(wrongPassword.raw);
    expect(unknownEmail.headers).toStrictEqual(wrongPassword.headers);
  });

  test.each([
    ['a missing password', { email: ADMIN.email }, '"password" is required'],
    ['a missing email', { password: ADMIN.password }, '"email" is required'],
    ['an unknown field', { email: ADMIN.email, password: ADMIN.password, x: 1 }, '"x" is not allowed'],
  ])('rejects %s with 400 INVALID_REQUEST_BODY, without counting an attempt', async (_name, body, message) => {
    const before = await harness.items();
    expectError(await signInOn(harness, shape, body, freshIp()), 400, 'INVALID_REQUEST_BODY', message);
    expect(await harness.items()).toStrictEqual(before);
  });
});

describe('POST /api/v2/admin-account/jwt (http-api)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await signUp(harness);
  });

  test.each([
    ['upper case', 'ADA@ACME-CORP.COM'],
    ['mixed case', 'Ada@Acme-Corp.com'],
    ['surrounding spaces', '  ada@acme-corp.com  '],
    ['full-width letters', 'ａｄａ@ａｃｍｅ-ｃｏｒｐ.ｃｏｍ'],
    ['an ideographic full stop and a full-width @', 'ADA＠acme-corp。com'],
  ])('matches the email case-insensitively and by its normalised form (%s)', async (_name, email) => {
    expectCredential(await signInOn(harness, 'http-api', { email, password: ADMIN.password }, freshIp()));
  });

  test('the password is matched exactly (case-sensitive)', async () => {
    const response = await signInOn(harness, 'http-api', { email: ADMIN.email, password: ADMIN.password.toLowerCase() }, freshIp());
    expectError(response, 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
  });

  test.each([
    ['an email that is not a string', { email: 42, password: ADMIN.password }, '"email" must be a string'],
    ['a password of 129 characters', { email: ADMIN.email, password: 'x'.repeat(129) }, '"password" length must be less than or equal to 128 characters long'],
    ['an empty password', { email: ADMIN.email, password: '' }, '"password" is not allowed to be empty'],
    ['an empty object', {}, '"email" is required'],
  ])('rejects %s with 400 INVALID_REQUEST_BODY', async (_name, body, message) => {
    const before = await harness.items();
    expectError(await signInOn(harness, 'http-api', body, freshIp()), 400, 'INVALID_REQUEST_BODY', message);
    expect(await harness.items()).toStrictEqual(before);
  });

  test('a failed sign-in is recorded under a digest: neither the email nor the client address is stored in clear', async () => {
    const ip = freshIp();
    await signInOn(harness, 'http-api', { email: ADMIN.email, password: 'Wr0ng!Password' }, ip);
    const records = await attemptItems(harness);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record).toStrictEqual({
        pk: expect.stringMatching(/^SIGNIN#[A-Za-z0-9_-]{43}$/),
        attempts: expect.any(Number),
        windowEndsAt: expect.any(Number),
        expiresAt: expect.any(Number),
      });
      expect(JSON.stringify(record)).not.toContain('acme-corp');
      expect(JSON.stringify(record)).not.toContain(ip);
    }
  });
});

describe('sign-in lock-out: 5 failures per email and client address in 15 minutes', () => {
  const clock = new ManualClock();
  let harness: Harness;
  const right = { email: ADMIN.email, password: ADMIN.password };
  const wrong = { email: ADMIN.email, password: 'Wr0ng!Password' };

  beforeAll(async () => {
    harness = await createHarness({ clock });
    await signUp(harness);
  });

  async function fail(times: number, ip: string, body: Record<string, unknown> = wrong): Promise<void> {
    for (let i = 1; i <= times; i++) {
      const response = await signInOn(harness, 'http-api', body, ip);
      expectError(response, 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
  }

  test('the 6th attempt, even with the right password, gets 429 TOO_MANY_ATTEMPTS with Retry-After, and writes nothing', async () => {
    const ip = freshIp();
    await fail(5, ip);
    const before = await harness.items();

    const locked = await signInOn(harness, 'http-api', right, ip);
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    // The window opened at the first failure and the clock has not moved: all 900 s remain.
    expect(header(locked, 'Retry-After')).toBe('900');
    expect(await harness.items()).toStrictEqual(before);

    clock.advance(61_000);
    const later = await signInOn(harness, 'http-api', wrong, ip);
    expectError(later, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    expect(header(later, 'Retry-After')).toBe('839');
  });

  test('Retry-After is an integer number of seconds, at most 900, rounded up', async () => {
    const ip = freshIp();
    await fail(5, ip);
    clock.advance(1_500);
    const locked = await signInOn(harness, 'http-api', right, ip);
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    const retryAfter = header(locked, 'Retry-After');
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(retryAfter)).toBe(899); // 898.5 s left, rounded up
  });

  test('failures for an unknown email count too', async () => {
    const ip = freshIp();
    const unknown = { email: 'ghost@acme-corp.com', password: 'Wr0ng!Password' };
    await fail(5, ip, unknown);
    expectError(await signInOn(harness, 'http-api', unknown, ip), 429, 'TOO_MANY_ATTEMPTS', LOCKED);
  });

  test('different spellings of one email share one bucket', async () => {
    const ip = freshIp();
    for (const email of ['ADA@ACME-CORP.COM', 'ａｄａ@ａｃｍｅ-ｃｏｒｐ.ｃｏｍ', 'Ada@Acme-Corp。com', ' ada@acme-corp.com', 'ADA＠acme-corp.com']) {
      await fail(1, ip, { email, password: 'Wr0ng!Password' });
    }
    expectError(await signInOn(harness, 'http-api', right, ip), 429, 'TOO_MANY_ATTEMPTS', LOCKED);
  });

  test('another client address is not locked, nor is another email from the locked address', async () => {
    const ip = freshIp();
    await fail(5, ip);
    expectError(await signInOn(harness, 'http-api', right, ip), 429, 'TOO_MANY_ATTEMPTS', LOCKED);

    expectCredential(await signInOn(harness, 'http-api', right, freshIp()));
    expectError(
      await signInOn(harness, 'http-api', { email: 'someone@acme-corp.com', password: 'Wr0ng!Password' }, ip),
      400,
      'INVALID_CREDENTIALS',
      'Invalid credentials',
    );
  });

  test('after the 15-minute window has passed, sign-in works again', async () => {
    const ip = freshIp();
    await fail(5, ip);
    clock.advance(WINDOW_MS - 1_000);
    const stillLocked = await signInOn(harness, 'http-api', right, ip);
    expectError(stillLocked, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    expect(header(stillLocked, 'Retry-After')).toBe('1');

    clock.advance(1_000);
    expectCredential(await signInOn(harness, 'http-api', right, ip));
  });

  test('a new window after expiry allows 5 fresh failures, then locks again', async () => {
    const ip = freshIp();
    await fail(5, ip);
    clock.advance(WINDOW_MS);
    await fail(5, ip);
    expectError(await signInOn(harness, 'http-api', right, ip), 429, 'TOO_MANY_ATTEMPTS', LOCKED);
  });

  test('a successful sign-in resets the count', async () => {
    const ip = freshIp();
    await fail(4, ip);
    expectCredential(await signInOn(harness, 'http-api', right, ip));
    // Without the reset this would be the 6th..10th attempt of the window.
    await fail(4, ip);
    expectCredential(await signInOn(harness, 'http-api', right, ip));
  });

  test.each(EVENT_SHAPES)('the lock-out applies over %s', async (shape) => {
    const ip = freshIp();
    const body = { email: `locked-${shape}@acme-corp.com`, password: 'Wr0ng!Password' };
    for (let i = 0; i < 5; i++) {
      expectError(await signInOn(harness, shape, body, ip), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    const locked = await signInOn(harness, shape, body, ip);
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS', LOCKED);
    expect(header(locked, 'Retry-After')).toBe('900');
  });
});
