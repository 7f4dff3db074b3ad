// CONTRACT §12, second bullet — the operator's way back in: recoverAdminAccess (no route reaches it:
// test/template/functions.test.ts) sets a new password by direct invocation, revokes every earlier
// admin JWT, lifts the lock-outs and records `password.recovered`.
import { jest } from '@jest/globals';
import {
  ADMIN,
  ManualClock,
  PATHS,
  PHC_ARGON2ID,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  invoke,
  lambdaContext,
  signUp,
  type Answer,
  type EventShape,
  type Harness,
} from '../support/harness.ts';
import { SECOND, authorizeToken, createToken, expectTableUnchanged, resetPassword, signIn } from '../support/lifecycle.ts';
import { captureOutput } from '../support/proof.ts';
import { forgivenSince } from '../../lib/admin/recovery.ts';
import { RESET_PASSWORD_POLICY, SIGN_IN_EMAIL_CEILING, SIGN_IN_POLICY } from '../../lib/admin/attempts.store.ts';

// Each test hashes or verifies passwords (argon2id) several times: on a loaded machine that takes
// seconds. A hang guard only, far above it; no test here bounds how fast anything is.
jest.setTimeout(120_000);

const NEW_PASSWORD = 'Rec0vered!Passw0rd';
const WRONG_PASSWORD = 'Wr0ng!Passw0rd';
const BY_INVOCATION_ONLY = 'Admin access can only be recovered by the operator (databrain-admin recover)';
const MINUTE = 60 * SECOND;

/** The payload `databrain-admin recover` sends: a direct invocation, `{"body": {"password": …}}`. */
const recover = (harness: Harness, body: unknown = { password: NEW_PASSWORD }) => invoke(harness.handlers.recoverAdminAccess, { body });
const recoverAs = (harness: Harness, shape: EventShape, body: unknown) =>
  call(harness.handlers.recoverAdminAccess, shape, { path: '/api/v2/admin-account/recover', body });

const account = async (harness: Harness) => (await harness.items()).find((item) => item.pk === 'ACCOUNT')!;
const listTokens = (harness: Harness, jwt: string) =>
  call(harness.handlers.listServiceTokens, 'http-api', { method: 'GET', path: '/api/v2/service-tokens', headers: bearer(jwt) });
const signInFrom = (harness: Harness, sourceIp: string, password: string) =>
  call(harness.handlers.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email: ADMIN.email, password }, sourceIp });
const jwtOf = (answer: Answer): string => {
  expectCredential(answer);
  return answer.body.data.accessToken as string;
};

afterEach(() => {
  jest.restoreAllMocks();
});

describe('a recovery', () => {
  const clock = new ManualClock();
  let harness: Harness;
  let earlier: string[];
  let token: string;
  let before: Record<string, any>;
  let response: Answer;
  let output: string;

  beforeAll(async () => {
    harness = await createHarness({ clock, logLevel: 'INFO' });
    earlier = [await signUp(harness)];
    clock.advance(SECOND);
    earlier.push(jwtOf(await signIn(harness, ADMIN.email, ADMIN.password)));
    token = await createToken(harness, earlier[1]!);
    before = await account(harness);
    clock.advance(SECOND);
    ({ result: response, output } = await captureOutput(() => invoke(harness.handlers.recoverAdminAccess, { body: { password: NEW_PASSWORD } }, lambdaContext('recovery-request'))));
  });

  it('answers 200 with the admin\'s email, for the operator to sign in with', () => {
    expect(response.statusCode).toBe(200);
    expect(response.body).toStrictEqual({ data: { success: true, email: ADMIN.email } });
  });

  it('stores the new password (argon2id), moves the credential version on and records when, in the one account item', async () => {
    const after = await account(harness);
    expect(after).toStrictEqual({
      ...before,
      passwordHash: expect.stringMatching(PHC_ARGON2ID),
      credentialVersion: before.credentialVersion + 1,
      recoveredAt: new Date(clock.now()).toISOString(),
    });
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect((await harness.items()).map((item) => item.pk)).toEqual(['ACCOUNT']);
  });

  it('refuses every admin JWT issued before it: 401', async () => {
    for (const jwt of earlier) expectError(await listTokens(harness, jwt), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
  });

  it('the old password no longer signs in; the new one does, and its JWT works', async () => {
    expectError(await signIn(harness, ADMIN.email, ADMIN.password), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    const jwt = jwtOf(await signIn(harness, ADMIN.email, NEW_PASSWORD));
    expect((await listTokens(harness, jwt)).statusCode).toBe(200);
  });

  it('leaves the service tokens alone: pipelines keep working', async () => {
    expect((await authorizeToken(harness, token)).isAuthorized).toBe(true);
  });

  it('writes the audit event password.recovered (actor operator, source direct), with its metric, and never the password', () => {
    const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
    const audit = lines.filter((line) => line.audit !== undefined);
    expect(audit).toEqual([
      expect.objectContaining({
        audit: 'password.recovered',
        outcome: 'success',
        actor: 'operator',
        source: 'direct',
        companyId: before.companyId,
        adminId: before.adminId,
        function_request_id: 'recovery-request',
        PasswordRecovered: 1,
      }),
    ]);
    expect(audit[0]!._aws.CloudWatchMetrics).toEqual([{ Namespace: expect.any(String), Dimensions: [['service']], Metrics: [{ Name: 'PasswordRecovered', Unit: 'Count' }] }]);
    expect(output).not.toContain(NEW_PASSWORD);
  });
});

describe('recoverAdminAccess refuses, and changes nothing', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
    await signUp(harness);
  });

  it.each(['http-api', 'rest-api'] as const)('an event that came through API Gateway (%s): 403, before the body is looked at', async (shape) => {
    for (const body of [{ password: NEW_PASSWORD }, { password: 'weak' }, 'not json']) {
      const response = await expectTableUnchanged(harness, () => recoverAs(harness, shape, body));
      expectError(response, 403, 'RECOVERY_BY_INVOCATION_ONLY', BY_INVOCATION_ONLY);
    }
  });

  it.each([
    [{}, '"password" is required'],
    [{ password: '' }, '"password" is not allowed to be empty'],
    [{ password: 'Sh0rt!' }, '"password" length must be at least 8 characters long'],
    [{ password: 'str0ng!passw0rd' }, '"password" should contain at least 1 uppercase character'],
    [{ password: 'Str0ng! Passw0rd' }, '"password" should not contain white spaces'],
    [{ password: NEW_PASSWORD, email: 'eve@acme-corp.com' }, '"email" is not allowed'],
    [{ password: 12345678 }, '"password" must be a string'],
  ])('a body breaking the sign-up rules %j: 400 with Joi\'s message', async (body, message) => {
    const response = await expectTableUnchanged(harness, () => recover(harness, body));
    expectError(response, 400, 'INVALID_REQUEST_BODY', message);
  });

  it.each([
    ['not JSON', '{"password":', 'Request body must be valid JSON'],
    ['a JSON array', '[]', 'Request body must be a JSON object'],
  ])('a body that is %s: 400', async (_, body, message) => {
    const response = await expectTableUnchanged(harness, () => recover(harness, body));
    expectError(response, 400, 'INVALID_REQUEST_BODY', message);
  });

  it('when no account exists: 500 ACCOUNT_NOT_FOUND', async () => {
    const empty = await createHarness();
    const response = await expectTableUnchanged(empty, () => recover(empty));
    expectError(response, 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
    expect(await empty.items()).toEqual([]);
  });
});

describe('the lock-outs after a recovery', () => {
  it('an address locked out by failed sign-ins signs in with the new password at once; counting starts afresh', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    await signUp(harness);
    const address = '198.51.100.7';
    for (let attempt = 0; attempt < SIGN_IN_POLICY.maxAttempts; attempt++) {
      expectError(await signInFrom(harness, address, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    expect((await signInFrom(harness, address, ADMIN.password)).statusCode).toBe(429);
    clock.advance(MINUTE);

    expect((await recover(harness)).statusCode).toBe(200);
    clock.advance(SECOND);
    jwtOf(await signInFrom(harness, address, NEW_PASSWORD));
    // The lock-out itself still holds: from that address, five new failures lock it again.
    for (let attempt = 0; attempt < SIGN_IN_POLICY.maxAttempts; attempt++) {
      expectError(await signInFrom(harness, address, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    expect((await signInFrom(harness, address, NEW_PASSWORD)).statusCode).toBe(429);
  });

  it('failures counted before it, short of a lock-out, no longer add up to one', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    await signUp(harness);
    const address = '198.51.100.8';
    for (let attempt = 0; attempt < SIGN_IN_POLICY.maxAttempts - 1; attempt++) {
      expectError(await signInFrom(harness, address, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    clock.advance(MINUTE);
    expect((await recover(harness)).statusCode).toBe(200);
    clock.advance(SECOND);
    // One typo fills the old window; the next attempt is counted in a new one, not refused.
    expectError(await signInFrom(harness, address, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    jwtOf(await signInFrom(harness, address, NEW_PASSWORD));
  });

  it('the email\'s ceiling, reached from many addresses, no longer refuses the admin', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    await signUp(harness);
    for (let attempt = 0; attempt < SIGN_IN_EMAIL_CEILING.maxAttempts; attempt++) {
      expectError(await signInFrom(harness, `203.0.113.${attempt}`, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    expect((await signInFrom(harness, '192.0.2.1', ADMIN.password)).statusCode).toBe(429);
    clock.advance(MINUTE);

    expect((await recover(harness)).statusCode).toBe(200);
    clock.advance(SECOND);
    jwtOf(await signInFrom(harness, '192.0.2.1', NEW_PASSWORD));
  });

  it('the password reset\'s lock-out (wrong current passwords) is lifted too', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    const jwt = await signUp(harness);
    for (let attempt = 0; attempt < RESET_PASSWORD_POLICY.maxAttempts; attempt++) {
      expect((await resetPassword(harness, 'http-api', jwt, { currentPassword: WRONG_PASSWORD, password: 'N3w!Passw0rd-2026' })).statusCode).toBe(400);
    }
    expect((await resetPassword(harness, 'http-api', jwt, { currentPassword: ADMIN.password, password: 'N3w!Passw0rd-2026' })).statusCode).toBe(429);
    clock.advance(MINUTE);

    expect((await recover(harness)).statusCode).toBe(200);
    clock.advance(SECOND);
    const fresh = jwtOf(await signIn(harness, ADMIN.email, NEW_PASSWORD));
    const reset = await resetPassword(harness, 'http-api', fresh, { currentPassword: NEW_PASSWORD, password: 'N3w!Passw0rd-2026' });
    expect(reset.body).toStrictEqual({ data: { success: true } });
  });

  it('a lock-out that began after it holds as ever', async () => {
    const clock = new ManualClock();
    const harness = await createHarness({ clock });
    await signUp(harness);
    expect((await recover(harness)).statusCode).toBe(200);
    clock.advance(SECOND);
    const address = '198.51.100.9';
    for (let attempt = 0; attempt < SIGN_IN_POLICY.maxAttempts; attempt++) {
      expectError(await signInFrom(harness, address, WRONG_PASSWORD), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    }
    const refused = await signInFrom(harness, address, NEW_PASSWORD);
    expect(refused.statusCode).toBe(429);
  });
});

describe('forgivenSince: how long after a recovery an older window may still refuse', () => {
  const window = 15 * MINUTE;
  const recoveredAt = Date.parse('2026-11-30T10:00:00.000Z');
  const account = { recoveredAt: new Date(recoveredAt).toISOString() };

  it.each([
    ['never recovered', {}, recoveredAt, undefined],
    ['just after the recovery', account, recoveredAt + SECOND, recoveredAt],
    ['a moment before a window has passed', account, recoveredAt + window - 1, recoveredAt],
    ['a whole window after it (every older window has ended by itself)', account, recoveredAt + window, undefined],
  ])('%s', (_, who, now, expected) => {
    expect(forgivenSince(who, now, window)).toBe(expected);
  });
});

describe('a recovery racing a password reset', () => {
  it('wins from the version the reset left: its password holds and the reset\'s JWT is refused too', async () => {
    const harness = await createHarness();
    const jwt = await signUp(harness);
    const changePassword = harness.app.accounts.changePassword.bind(harness.app.accounts);
    let resetJwt: string | undefined;
    // The reset lands between the recovery's read of the account and its write.
    jest.spyOn(harness.app.accounts, 'changePassword').mockImplementationOnce(async (...args) => {
      const reset = await resetPassword(harness, 'http-api', jwt, { currentPassword: ADMIN.password, password: 'N3w!Passw0rd-2026' });
      expect(reset.statusCode).toBe(200);
      resetJwt = jwtOf(await signIn(harness, ADMIN.email, 'N3w!Passw0rd-2026'));
      return changePassword(...args);
    });

    expect((await recover(harness)).body).toStrictEqual({ data: { success: true, email: ADMIN.email } });
    expect((await account(harness)).credentialVersion).toBe(3);
    expectError(await listTokens(harness, resetJwt!), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    expectError(await signIn(harness, ADMIN.email, 'N3w!Passw0rd-2026'), 400, 'INVALID_CREDENTIALS', 'Invalid credentials');
    jwtOf(await signIn(harness, ADMIN.email, NEW_PASSWORD));
  });
});
