import { randomBytes } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { AdminJwt } from '../../lib/admin/jwt.ts';
import { KeySetCache, singleKeySet, type KeySet } from '../../lib/admin/signing-key.ts';
import { AuthenticationError } from '../../lib/errors.ts';

const settings = { issuer: 'iss-test', audience: 'aud-test', ttlSeconds: 3600 };
const claims = { adminId: 'admin-1', companyId: 'company-1', credentialVersion: 1 };
const key = new Uint8Array(randomBytes(32));

function clockAt(ms: number) {
  const clock = { t: ms, now: () => clock.t };
  return clock;
}

/** The key set of one key (`key`, kid k1), as a container would hold it. */
const keys = (clock: { now(): number }, read: () => Promise<KeySet> = async () => singleKeySet(key, 'k1')) => new KeySetCache(read, clock);

/** An admin JWT signed with `key` as the API would sign it, with `payload` merged over its claims. */
async function sign(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', kid: 'k1' }): Promise<string> {
  const now = start / 1000;
  const claims = { iss: 'iss-test', aud: 'aud-test', sub: 'admin-1', companyId: 'company-1', role: 'admin', cv: 1, iat: now, exp: now + 3600, jti: 'j', ...payload };
  return new SignJWT(Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)))
    .setProtectedHeader(header as { alg: string })
    .sign(key);
}

const start = Date.UTC(2026, 10, 27, 12);

describe('admin JWT', () => {
  it('issues HS256 tokens with every documented claim, and verifies them', async () => {
    const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
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
    const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
    expect(decodeJwt(await jwt.issue(claims)).jti).not.toBe(decodeJwt(await jwt.issue(claims)).jti);
  });

  it('accepts a token until its expiry plus 5 s of clock tolerance, then never', async () => {
    const clock = clockAt(start);
    const jwt = new AdminJwt(keys(clock), settings, clock);
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
    const token = await sign(override);
    const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses garbage and oversized tokens without trying to parse them', async () => {
    const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
    await expect(jwt.verify('not-a-jwt')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(jwt.verify(`${'a'.repeat(3000)}.b.c`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('lets a failure to load the key surface as an internal error, not a 401', async () => {
    const clock = clockAt(start);
    const jwt = new AdminJwt(keys(clock, async () => { throw new Error('secret unavailable'); }), settings, clock);
    await expect(jwt.verify(await sign({}))).rejects.toThrow('secret unavailable');
    await expect(jwt.issue(claims)).rejects.toThrow('secret unavailable');
  });

  it('control: the hand-signed token of the tests below is accepted as it is', async () => {
    const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
    await expect(jwt.verify(await sign({}))).resolves.toEqual(claims);
  });

  describe('time claims', () => {
    const now = start / 1000;
    it.each([
      ['an iat 6 s in the future (beyond the 5 s tolerance)', { iat: now + 6, exp: now + 6 + 3600 }],
      ['an iat a day in the future', { iat: now + 86_400, exp: now + 86_400 + 60 }],
      ['a lifetime (exp − iat) one second over the configured 3600 s', { iat: now, exp: now + 3601 }],
      ['a lifetime over the configured one, issued in the past', { iat: now - 600, exp: now - 600 + 3601 }],
      ['a lifetime of a year', { iat: now, exp: now + 365 * 86_400 }],
      ['an iat that is not a number', { iat: String(now) }],
    ])('refuses a correctly signed token with %s', async (_name, times) => {
      const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
      await expect(jwt.verify(await sign(times))).rejects.toBeInstanceOf(AuthenticationError);
    });

    it.each([
      ['an iat 5 s in the future (within the tolerance)', { iat: now + 5, exp: now + 5 + 3600 }],
      ['a lifetime of exactly the configured 3600 s', { iat: now - 100, exp: now - 100 + 3600 }],
      ['a shorter lifetime', { iat: now, exp: now + 60 }],
    ])('accepts a token with %s', async (_name, times) => {
      const jwt = new AdminJwt(keys(clockAt(start)), settings, clockAt(start));
      await expect(jwt.verify(await sign(times))).resolves.toEqual(claims);
    });
  });

  describe('key ids', () => {
    const other = new Uint8Array(randomBytes(32));
    const twoKeys: KeySet = { current: 'k2', keys: [{ kid: 'k1', key }, { kid: 'k2', key: other }] };

    it('puts the current key\'s kid into the protected header, and signs with that key', async () => {
      const clock = clockAt(start);
      const jwt = new AdminJwt(keys(clock, async () => twoKeys), settings, clock);
      const token = await jwt.issue(claims);
      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k2' });
      // Verified by k2 only: a set holding k1 alone refuses it.
      await expect(new AdminJwt(keys(clock), settings, clock).verify(token)).rejects.toBeInstanceOf(AuthenticationError);
      await expect(jwt.verify(token)).resolves.toEqual(claims);
    });

    it('verifies a token with the key its kid names, any key of the set', async () => {
      const clock = clockAt(start);
      const jwt = new AdminJwt(keys(clock, async () => twoKeys), settings, clock);
      await expect(jwt.verify(await sign({}))).resolves.toEqual(claims);
    });

    it.each([
      ['no kid', { alg: 'HS256' }],
      ['an unknown kid', { alg: 'HS256', kid: 'k9' }],
      ['another key\'s kid', { alg: 'HS256', kid: 'k2' }],
      ['a kid that is not a string', { alg: 'HS256', kid: 1 }],
      ['a kid that is not a key id', { alg: 'HS256', kid: '../k1' }],
    ])('refuses a token with %s', async (_name, header) => {
      const clock = clockAt(start);
      const jwt = new AdminJwt(keys(clock, async () => twoKeys), settings, clock);
      await expect(jwt.verify(await sign({}, header))).rejects.toBeInstanceOf(AuthenticationError);
    });
  });
});
