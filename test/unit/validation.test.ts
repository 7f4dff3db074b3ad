import { DEFAULT_CONSUMER_EMAIL_DOMAINS } from '../../lib/runtime/config.ts';
import { InvalidRequestBody } from '../../lib/errors.ts';
import { createServiceTokenSchema, rotateWithAdminSchema } from '../../lib/service-token/bodies.ts';
import { signInSchema, signUpSchema } from '../../lib/admin/bodies.ts';
import { validate } from '../../lib/wiring/routes.ts';

const signUp = signUpSchema(DEFAULT_CONSUMER_EMAIL_DOMAINS);
const good = { firstName: 'Ada', email: 'ada@acme-corp.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestBody);
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('sign-up body', () => {
  it('accepts a valid body, trimming names and lower-casing the email', () => {
    expect(validate(signUp, { ...good, firstName: ' Ada ', email: 'Ada@ACME-corp.com' })).toEqual({
      ...good,
      email: 'ada@acme-corp.com',
    });
  });

  it.each([
    [{ firstName: 'Al' }, '"firstName" length must be at least 3 characters long'],
    [{ firstName: 'A'.repeat(31) }, '"firstName" length must be less than or equal to 30 characters long'],
    [{ email: 'not-an-email' }, '"email" must be a valid email'],
    [{ email: 'ada@localhost' }, '"email" must be a valid email'],
    [{ email: 'ada@gmail.com' }, '"email" must be a company address, not a personal email provider'],
    [{ email: 'ada@mail.yahoo.com' }, '"email" must be a company address, not a personal email provider'],
    [{ password: 'Sh0rt!' }, '"password" length must be at least 8 characters long'],
    [{ password: `Aa1!${'a'.repeat(125)}` }, '"password" length must be less than or equal to 128 characters long'],
    [{ password: 'str0ng!passw0rd' }, '"password" should contain at least 1 uppercase character'],
    [{ password: 'STR0NG!PASSW0RD' }, '"password" should contain at least 1 lowercase character'],
    [{ password: 'Strong!Password' }, '"password" should contain at least 1 numeric character'],
    [{ password: 'Str0ngPassw0rd' }, '"password" should contain at least 1 special character'],
    [{ password: 'Str0ng! Passw0rd' }, '"password" should not contain white spaces'],
    [{ companyName: '' }, '"companyName" is not allowed to be empty'],
    [{ companyName: '   ' }, '"companyName" is not allowed to be empty'],
    [{ extra: 1 }, '"extra" is not allowed'],
  ])('refuses %j with Joi\'s message', (change, message) => {
    expect(messageOf(() => validate(signUp, { ...good, ...change }))).toBe(message);
  });

  it.each([
    ['ＡＤＡ@ａｃｍｅ-ｃｏｒｐ.ｃｏｍ', 'ada@acme-corp.com'],
    ['ada＠acme-corp。com', 'ada@acme-corp.com'],
    ['ada@acme-c\u00adorp.com', 'ada@acme-corp.com'],
    ['Ada@Bücher.de', 'ada@xn--bcher-kva.de'],
    ['ada@xn--bcher-kva.de', 'ada@xn--bcher-kva.de'],
  ])('stores %s normalised as %s (NFKC, lower case, IDNA domain)', (email, stored) => {
    expect(validate(signUp, { ...good, email }).email).toBe(stored);
  });

  it.each(['eve@ｇｍａｉｌ.com', 'eve@gmail。com', 'eve@gmail．com', 'ＥＶＥ＠ＧＭＡＩＬ．ＣＯＭ', 'eve@gm\u200bail.com', 'eve@ｍａｉｌ.yahoo.com'])(
    'refuses the look-alike consumer address %s',
    (email) => {
      expect(messageOf(() => validate(signUp, { ...good, email }))).toBe('"email" must be a company address, not a personal email provider');
    },
  );

  it.each(['firstName', 'email', 'password', 'companyName'])('requires %s', (field) => {
    const body: Record<string, unknown> = { ...good };
    delete body[field];
    expect(messageOf(() => validate(signUp, body))).toBe(`"${field}" is required`);
  });

  it('uses the configured consumer domains', () => {
    const custom = signUpSchema(['acme-corp.com']);
    expect(messageOf(() => validate(custom, good))).toMatch(/personal email provider/);
    expect(validate(custom, { ...good, email: 'ada@gmail.com' }).email).toBe('ada@gmail.com');
  });
});

describe('sign-in body', () => {
  it('requires email and password', () => {
    expect(messageOf(() => validate(signInSchema(), { password: 'x' }))).toBe('"email" is required');
    expect(messageOf(() => validate(signInSchema(), { email: 'a@b.co' }))).toBe('"password" is required');
  });

  it('normalises the email as sign-up stores it', () => {
    expect(validate(signInSchema(), { email: ' ＡＤＡ＠ａｃｍｅ-ｃｏｒｐ。ｃｏｍ ', password: 'x' }).email).toBe('ada@acme-corp.com');
  });
});

describe('service token body', () => {
  const v4 = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it.each([v4, v4.toUpperCase(), `{${v4}}`, v4.replace(/-/g, '')])('accepts %s and returns it canonical', (token) => {
    expect(validate(createServiceTokenSchema(), { token })).toEqual({ token: v4 });
  });

  it.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a time-based v1 UUID', 'c232ab00-9414-11ec-b3c8-9e6bdeced846'],
    ['a v7 UUID', '01890a5d-ac96-774b-bcce-b302099a8057'],
    ['a wrong variant', '0f8fad5b-d9cb-469f-c165-70867728950e'],
    ['not a UUID', 'my-token'],
    ['a v4 UUID with no random part', '00000000-0000-4000-8000-000000000000'],
    ['the same, upper-case and braced', '{FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF}'],
    ['a v4 UUID counting up', '01234567-89ab-4cde-8f01-23456789abcd'],
  ])('refuses %s', (_name, token) => {
    expect(messageOf(() => validate(createServiceTokenSchema(), { token }))).toBe('"token" must be a valid GUID');
    expect(messageOf(() => validate(rotateWithAdminSchema(), { token, expireAt: 0 }))).toBe('"token" must be a valid GUID');
  });

  it('requires a string token', () => {
    expect(messageOf(() => validate(createServiceTokenSchema(), {}))).toBe('"token" is required');
    expect(messageOf(() => validate(createServiceTokenSchema(), { token: 42 }))).toBe('"token" must be a string');
  });
});

describe('the rules every body is validated by', () => {
  const schema = rotateWithAdminSchema();
  const token = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it('converts: a numeric string is a number', () => {
    expect(validate(schema, { token, expireAt: '300' })).toStrictEqual({ token, expireAt: 300 });
  });

  it('stops at the first problem: the message names one field only', () => {
    expect(messageOf(() => validate(schema, { token: 'bad', expireAt: -1, extra: 1 }))).toBe('"token" must be a valid GUID');
  });

  it('refuses unknown keys', () => {
    expect(messageOf(() => validate(schema, { token, expireAt: 0, extra: 1 }))).toBe('"extra" is not allowed');
  });
});
