// CONTRACT §1 — POST /api/v2/admin-account: creates the instance's company and its first admin.
import {
  ADMIN,
  EVENT_SHAPES,
  PATHS,
  PHC_ARGON2ID,
  V4_UUID,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  jwtHeader,
  jwtPayload,
  signUp,
  type EventShape,
  type Harness,
} from '../support/harness.ts';

const ALREADY_CREATED = 'Your company account is already created, please sign in';

const signUpOn = (harness: Harness, shape: EventShape, body: unknown) =>
  call(harness.handlers.createAdminAccount, shape, { path: PATHS.adminAccount, body });

describe.each(EVENT_SHAPES)('POST /api/v2/admin-account over %s', (shape) => {
  let empty: Harness;
  let withAccount: Harness;

  beforeAll(async () => {
    [empty, withAccount] = await Promise.all([createHarness(), createHarness()]);
    await signUp(withAccount);
  });

  test('creates the company and its admin, answers 200 with an admin JWT that works on POST /api/v2/service-token', async () => {
    const harness = await createHarness();
    const response = await signUpOn(harness, shape, ADMIN);

    expectCredential(response);
    expect(response.body).toStrictEqual({ data: { accessToken: expect.any(String) } });
    const jwt = response.body.data.accessToken as string;

    const items = await harness.items();
    expect(items).toStrictEqual([
      {
        pk: 'ACCOUNT',
        companyId: expect.stringMatching(V4_UUID),
        companyName: ADMIN.companyName,
        adminId: expect.stringMatching(V4_UUID),
        email: ADMIN.email,
        firstName: ADMIN.firstName,
        passwordHash: expect.stringMatching(PHC_ARGON2ID),
        credentialVersion: 1,
        createdAt: expect.any(String),
      },
    ]);
    const account = items[0]!;

    // The admin JWT of the contract: HS256, the signing key's kid, with iss, aud, sub = admin, companyId, role, cv, iat, exp (1 h), jti.
    expect(jwtHeader(jwt)).toStrictEqual({ alg: 'HS256', typ: 'JWT', kid: harness.kid });
    const claims = jwtPayload(jwt);
    expect(claims).toStrictEqual({
      iss: 'databrain-selfhosted',
      aud: 'databrain-admin-api',
      sub: account.adminId,
      companyId: account.companyId,
      role: 'admin',
      cv: 1,
      iat: expect.any(Number),
      exp: (claims.iat as number) + 3600,
      jti: expect.stringMatching(V4_UUID),
    });

    const upsert = await call(harness.handlers.createServiceToken, shape, {
      path: PATHS.serviceToken,
      headers: bearer(jwt),
      body: { token: '0b6e1f4c-3c1a-4a57-9f0e-6d2b8c4e7a19' },
    });
    expectCredential(upsert);
    expect(upsert.body).toStrictEqual({ key: '0b6e1f4c-3c1a-4a57-9f0e-6d2b8c4e7a19' });
  });

  test('refuses a second account with 400 INVALID_REQUEST, even for another email and company, and changes nothing', async () => {
    const before = await withAccount.items();
    const response = await signUpOn(withAccount, shape, {
      ...ADMIN,
      firstName: 'Grace',
      email: 'grace@other-corp.com',
      companyName: 'Other',
    });
    expectError(response, 400, 'INVALID_REQUEST', ALREADY_CREATED);
    expect(await withAccount.items()).toStrictEqual(before);
  });

  test.each([
    ['a missing field', { firstName: 'Ada', email: ADMIN.email, password: ADMIN.password }, '"companyName" is required'],
    ['an unknown field', { ...ADMIN, x: 1 }, '"x" is not allowed'],
    ['a consumer email domain', { ...ADMIN, email: 'ada@gmail.com' }, '"email" must be a company address, not a personal email provider'],
    ['a password without a digit', { ...ADMIN, password: 'Strong!Password' }, '"password" should contain at least 1 numeric character'],
  ])('rejects %s with 400 INVALID_REQUEST_BODY and creates nothing', async (_name, body, message) => {
    expectError(await signUpOn(empty, shape, body), 400, 'INVALID_REQUEST_BODY', message);
    expect(await empty.items()).toStrictEqual([]);
  });

  test('rejects a body that is not valid JSON with 400 INVALID_REQUEST_BODY', async () => {
    expectError(await signUpOn(empty, shape, '{"firstName": "Ada",'), 400, 'INVALID_REQUEST_BODY', 'Request body must be valid JSON');
    expect(await empty.items()).toStrictEqual([]);
  });
});

describe('POST /api/v2/admin-account validation (http-api)', () => {
  let empty: Harness;
  beforeAll(async () => {
    empty = await createHarness();
  });
  afterEach(async () => {
    // No validation failure may write anything.
    expect(await empty.items()).toStrictEqual([]);
  });

  const { firstName: _f, ...withoutFirstName } = ADMIN;
  const { email: _e, ...withoutEmail } = ADMIN;
  const { password: _p, ...withoutPassword } = ADMIN;
  const { companyName: _c, ...withoutCompanyName } = ADMIN;

  test.each([
    // firstName: required, 3–30 characters
    ['firstName of 2 characters', { ...ADMIN, firstName: 'Al' }, '"firstName" length must be at least 3 characters long'],
    ['firstName of 31 characters', { ...ADMIN, firstName: 'A'.repeat(31) }, '"firstName" length must be less than or equal to 30 characters long'],
    ['firstName that is not a string', { ...ADMIN, firstName: 123 }, '"firstName" must be a string'],
    // email: a valid address with at least two domain segments, not a consumer provider
    ['an invalid email', { ...ADMIN, email: 'not-an-email' }, '"email" must be a valid email'],
    ['an email with one domain segment', { ...ADMIN, email: 'ada@localhost' }, '"email" must be a valid email'],
    ['a gmail.com address', { ...ADMIN, email: 'ada@gmail.com' }, '"email" must be a company address, not a personal email provider'],
    ['a consumer domain in capitals', { ...ADMIN, email: 'Ada@GMAIL.COM' }, '"email" must be a company address, not a personal email provider'],
    ['a subdomain of a consumer domain', { ...ADMIN, email: 'ada@mail.yahoo.com' }, '"email" must be a company address, not a personal email provider'],
    ['an outlook.com address', { ...ADMIN, email: 'ada@outlook.com' }, '"email" must be a company address, not a personal email provider'],
    // Look-alike spellings of a consumer domain: normalised (NFKC, lower case, IDNA) before the check
    ['a full-width gmail.com', { ...ADMIN, email: 'eve@ｇｍａｉｌ.com' }, '"email" must be a company address, not a personal email provider'],
    ['gmail.com with an ideographic full stop', { ...ADMIN, email: 'eve@gmail。com' }, '"email" must be a company address, not a personal email provider'],
    ['gmail.com with a full-width full stop', { ...ADMIN, email: 'eve@gmail．com' }, '"email" must be a company address, not a personal email provider'],
    ['gmail.com with a halfwidth ideographic full stop', { ...ADMIN, email: 'eve@gmail｡com' }, '"email" must be a company address, not a personal email provider'],
    ['an all full-width address with a full-width @', { ...ADMIN, email: 'ＥＶＥ＠ＧＭＡＩＬ．ＣＯＭ' }, '"email" must be a company address, not a personal email provider'],
    ['gmail.com with a soft hyphen inside', { ...ADMIN, email: 'eve@gmai\u00adl.com' }, '"email" must be a company address, not a personal email provider'],
    ['gmail.com with a zero-width space inside', { ...ADMIN, email: 'eve@gm\u200bail.com' }, '"email" must be a company address, not a personal email provider'],
    ['a full-width subdomain of a consumer domain', { ...ADMIN, email: 'eve@ｍａｉｌ.yahoo.com' }, '"email" must be a company address, not a personal email provider'],
    ['a look-alike address that is not an address once normalised', { ...ADMIN, email: 'eve@ｌｏｃａｌｈｏｓｔ' }, '"email" must be a valid email'],
    // password: 8–128 characters, upper, lower, digit, special, no whitespace
    ['a password without an uppercase letter', { ...ADMIN, password: 'str0ng!passw0rd' }, '"password" should contain at least 1 uppercase character'],
    ['a password without a lowercase letter', { ...ADMIN, password: 'STR0NG!PASSW0RD' }, '"password" should contain at least 1 lowercase character'],
    ['a password without a digit', { ...ADMIN, password: 'Strong!Password' }, '"password" should contain at least 1 numeric character'],
    ['a password without a special character', { ...ADMIN, password: 'Str0ngPassw0rd' }, '"password" should contain at least 1 special character'],
    ['a password with a space', { ...ADMIN, password: 'Str0ng! Passw0rd' }, '"password" should not contain white spaces'],
    ['a password with a tab', { ...ADMIN, password: 'Str0ng!\tPassw0rd' }, '"password" should not contain white spaces'],
    ['a password of 7 characters', { ...ADMIN, password: 'Str0ng!' }, '"password" length must be at least 8 characters long'],
    ['a password of 129 characters', { ...ADMIN, password: `Aa1!${'x'.repeat(125)}` }, '"password" length must be less than or equal to 128 characters long'],
    // companyName: required, non-empty
    ['an empty companyName', { ...ADMIN, companyName: '' }, '"companyName" is not allowed to be empty'],
    ['a blank companyName', { ...ADMIN, companyName: '   ' }, '"companyName" is not allowed to be empty'],
    // required fields, unknown fields
    ['an empty object', {}, '"firstName" is required'],
    ['a missing firstName', withoutFirstName, '"firstName" is required'],
    ['a missing email', withoutEmail, '"email" is required'],
    ['a missing password', withoutPassword, '"password" is required'],
    ['a missing companyName', withoutCompanyName, '"companyName" is required'],
    ['an unknown field', { ...ADMIN, x: 'y' }, '"x" is not allowed'],
  ])('rejects %s: 400 INVALID_REQUEST_BODY', async (_name, body, message) => {
    expectError(await signUpOn(empty, 'http-api', body), 400, 'INVALID_REQUEST_BODY', message);
  });

  test('refuses the domains of a configured CONSUMER_EMAIL_DOMAINS list', async () => {
    const harness = await createHarness({ env: { CONSUMER_EMAIL_DOMAINS: 'example-mail.com, freemail.net' } });
    expectError(
      await signUpOn(harness, 'http-api', { ...ADMIN, email: 'ada@freemail.net' }),
      400,
      'INVALID_REQUEST_BODY',
      '"email" must be a company address, not a personal email provider',
    );
    expect(await harness.items()).toStrictEqual([]);
  });
});

describe('POST /api/v2/admin-account accepts the bounds of each rule (http-api)', () => {
  test.each([
    ['firstName of 3 and password of 8 characters', { ...ADMIN, firstName: 'Ada', password: 'Str0ng!x' }],
    ['firstName of 30 and password of 128 characters', { ...ADMIN, firstName: 'A'.repeat(30), password: `Aa1!${'x'.repeat(124)}` }],
  ])('%s', async (_name, body) => {
    const harness = await createHarness();
    const response = await signUpOn(harness, 'http-api', body);
    expectCredential(response);
    expect((await harness.items()).map((item) => item.firstName)).toStrictEqual([body.firstName]);
  });

  test('stores the email lower-cased and trimmed, so sign-in matches it whatever the case', async () => {
    const harness = await createHarness();
    expectCredential(await signUpOn(harness, 'http-api', { ...ADMIN, email: '  Ada@ACME-Corp.com ' }));
    expect((await harness.items())[0]?.email).toBe('ada@acme-corp.com');
    const signIn = await call(harness.handlers.createAdminJwt, 'http-api', {
      path: PATHS.adminJwt,
      body: { email: 'ada@acme-corp.com', password: ADMIN.password },
    });
    expectCredential(signIn);
  });
});

describe('POST /api/v2/admin-account: the email is normalised (NFKC, lower case, IDNA domain) before it is stored and matched', () => {
  test.each([
    ['full-width letters', 'ＡＤＡ@ａｃｍｅ-ｃｏｒｐ.ｃｏｍ', 'ada@acme-corp.com'],
    ['an ideographic full stop and a full-width @', 'ada＠acme-corp。com', 'ada@acme-corp.com'],
    ['an internationalised domain', 'Ada@Bücher-Café.de', 'ada@xn--bcher-caf-j4a4r.de'],
  ])('%s (%s): stored as %s, and both spellings sign in to the same account', async (_name, email, stored) => {
    const harness = await createHarness();
    expectCredential(await signUpOn(harness, 'http-api', { ...ADMIN, email }));
    expect((await harness.items())[0]?.email).toBe(stored);
    for (const spelling of [stored, email]) {
      const signIn = await call(harness.handlers.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email: spelling, password: ADMIN.password } });
      expectCredential(signIn);
    }
  });
});
