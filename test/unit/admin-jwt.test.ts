import { randomBytes } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { AdminJwt } from '../../lib/admin/jwt.ts';
import { AuthenticationError } from '../../lib/errors.ts';

const settings = { issuer: 'iss-test', audience: 'aud-test', ttlSeconds: 3600 };
const claims = { adminId: 'admin-1', companyId: 'company-1', credentialVersion: 1 };
const key = new Uint8Array(randomBytes(32));

function clockAt(ms: number) {
  const clock = { t: ms, now: () => clock.t };
  return clock;
}

describe('admin JWT', () => {
  const start = Date.UTC(2026, 10, 27, 12);

  it('issues HS256 tokens with every documented claim, and verifies them', async () => {
    const jwt = new AdminJwt(async () => key, settings, clockAt(start));
    const token = await jwt.issue(claims);
    const payload = decodeJwt(token);
    expect(payload).toEqual({
      iss: 'iss-test',
      aud: 'aud-test',
      sub: 'admin-1',
      companyId: 'company-1',
      role: 'admin',
      cv: 1,
      iat: start / 1000,
      exp: start / 1000 + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expect(jwt.verify(token)).resolves.toEqual(claims);
  });

  it('gives every token its own jti', async () => {
    const jwt = new AdminJwt(async () => key, settings, clockAt(start));
    expect(decodeJwt(await jwt.issue(claims)).jti).not.toBe(decodeJwt(await jwt.issue(claims)).jti);
  });

  it('accepts a token until its expiry plus 5 s of clock tolerance, then never', async () => {
    const clock = clockAt(start);
    const jwt = new AdminJwt(async () => key, settings, clock);
    const token = await jwt.issue(claims);
    clock.t = start + 3600_000 + 4_000;
    await expect(jwt.verify(token)).resolves.toEqual(claims);
    clock.t = start + 3600_000 + 6_000;
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it.each([
    ['role is not admin', { role: 'user' }],
    ['cv is not an integer', { cv: '1' }],
    ['companyId is missing', { companyId: undefined }],
  ])('refuses a correctly signed token whose %s', async (_name, override) => {
    const now = start / 1000;
    const token = await new SignJWT({ companyId: 'company-1', role: 'admin', cv: 1, ...override })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('iss-test').setAudience('aud-test').setSubject('admin-1')
      .setIssuedAt(now).setExpirationTime(now + 60).setJti('j')
      .sign(key);
    const jwt = new AdminJwt(async () => key, settings, clockAt(start));
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses garbage and oversized tokens without trying to parse them', async () => {
    const jwt = new AdminJwt(async () => key, settings, clockAt(start));
    await expect(jwt.verify('not-a-jwt')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(jwt.verify(`${'a'.repeat(3000)}.b.c`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('lets a failure to load the key surface as an internal error, not a 401', async () => {
    const jwt = new AdminJwt(async () => { throw new Error('secret unavailable'); }, settings, clockAt(start));
    await expect(jwt.verify('a.b.c')).rejects.toThrow('secret unavailable');
  });
});
