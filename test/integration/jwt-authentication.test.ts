// Admin JWT verification on POST /api/v2/service-token (CONTRACT "Admin JWT", common rules: 401).
import { randomBytes, randomUUID } from 'node:crypto';
import { generateKeyPair } from 'jose';
import {
  EVENT_SHAPES,
  ManualClock,
  PATHS,
  call,
  createHarness,
  expectCredential,
  expectError,
  signUp,
  type EventShape,
  type Harness,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';

const UNAUTHENTICATED = 'Invalid or missing credentials';

describe('admin JWT verification', () => {
  const clock = new ManualClock();
  let harness: Harness;
  let issued: string;
  const now = () => Math.floor(clock.now() / 1000);

  const upsert = (headers: Record<string, string>, shape: EventShape = 'http-api') =>
    call(harness.handlers.createServiceToken, shape, { path: PATHS.serviceToken, headers, body: { token: randomUUID() } });

  /** The request is refused with 401 + Bearer challenge, and the table is exactly as before. */
  async function expectRejected(headers: Record<string, string>, shape: EventShape = 'http-api'): Promise<void> {
    const before = await harness.items();
    expectError(await upsert(headers, shape), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    expect(await harness.items()).toStrictEqual(before);
  }

  beforeAll(async () => {
    harness = await createHarness({ clock });
    issued = await signUp(harness);
  });

  test('control: a JWT forged with no override is accepted, so each rejection below is due to its one change', async () => {
    expectCredential(await upsert({ authorization: `Bearer ${await forgeJwt(harness)}` }));
  });

  test('control: the JWT issued at sign-up is accepted, with a lower-case "bearer" scheme too', async () => {
    expectCredential(await upsert({ authorization: `Bearer ${issued}` }));
    expectCredential(await upsert({ authorization: `bearer ${issued}` }));
  });

  test.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['"Bearer" without a token', { authorization: 'Bearer ' }],
    ['a Basic credential', { authorization: 'Basic YWRtaW5AYWNtZS1jb3JwLmNvbTpTdHIwbmchUGFzc3cwcmQ=' }],
    ['a token without a scheme', { authorization: 'eyJhbGciOiJIUzI1NiJ9.e30.x' }],
    ['a garbage Bearer value', { authorization: 'Bearer not.a.jwt' }],
    ['a service-token UUID as Bearer', { authorization: `Bearer ${randomUUID()}` }],
  ])('rejects %s', async (_name, headers) => {
    await expectRejected(headers);
  });

  test('rejects the issued JWT sent with the "Basic" scheme', async () => {
    await expectRejected({ authorization: `Basic ${issued}` });
  });

  test('rejects an unsecured JWT (alg: none)', async () => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { alg: 'none' })}` });
  });

  test.each(['HS384', 'HS512'] as const)('rejects %s, even signed with the right secret', async (alg) => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { alg })}` });
  });

  test('rejects RS256', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { alg: 'RS256', key: privateKey })}` });
  });

  test('rejects a JWT signed with another key', async () => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { key: new Uint8Array(randomBytes(32)) })}` });
  });

  test('rejects a JWT whose payload segment was altered after signing', async () => {
    const [head, payload, signature] = issued.split('.') as [string, string, string];
    const i = Math.floor(payload.length / 2);
    const altered = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    await expectRejected({ authorization: `Bearer ${head}.${altered}.${signature}` });
  });

  test('rejects a JWT whose claims were re-encoded (a later exp) under the original signature', async () => {
    const [head, payload, signature] = issued.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');
    await expectRejected({ authorization: `Bearer ${head}.${forged}.${signature}` });
  });

  test('rejects a JWT whose signature was altered', async () => {
    const [head, payload, signature] = issued.split('.') as [string, string, string];
    const altered = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await expectRejected({ authorization: `Bearer ${head}.${payload}.${altered}` });
  });

  test('rejects an expired JWT (past the clock tolerance)', async () => {
    const token = await forgeJwt(harness, { claims: { iat: now() - 3_600, exp: now() - 10 } });
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('accepts a JWT that expired within the small clock tolerance (5 s)', async () => {
    const token = await forgeJwt(harness, { claims: { iat: now() - 3_600, exp: now() - 3 } });
    expectCredential(await upsert({ authorization: `Bearer ${token}` }));
  });

  test('rejects the JWT issued at sign-up once the clock passes its expiry', async () => {
    const fresh = await createHarness({ clock: new ManualClock(clock.now()) });
    const jwt = await signUp(fresh);
    (fresh.app.clock as ManualClock).advance(3_600_000 + 6_000);
    const before = await fresh.items();
    const response = await call(fresh.handlers.createServiceToken, 'http-api', {
      path: PATHS.serviceToken,
      headers: { authorization: `Bearer ${jwt}` },
      body: { token: randomUUID() },
    });
    expectError(response, 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    expect(await fresh.items()).toStrictEqual(before);
  });

  test.each([
    ['"nbf" in the future', () => ({ nbf: now() + 60 })],
    ['no "exp"', () => ({ exp: undefined })],
    ['no "iat"', () => ({ iat: undefined })],
    ['no "jti"', () => ({ jti: undefined })],
    ['no "sub"', () => ({ sub: undefined })],
    ['no "companyId"', () => ({ companyId: undefined })],
    ['a wrong "iss"', () => ({ iss: 'someone-else' })],
    ['no "iss"', () => ({ iss: undefined })],
    ['a wrong "aud"', () => ({ aud: 'another-api' })],
    ['no "aud"', () => ({ aud: undefined })],
    ['a "role" other than admin', () => ({ role: 'viewer' })],
    ['no "role"', () => ({ role: undefined })],
    ['a credential version that does not match the account (2 ≠ 1)', () => ({ cv: 2 })],
    ['a credential version 0', () => ({ cv: 0 })],
    ['a credential version as a string', () => ({ cv: '1' })],
    ['no credential version', () => ({ cv: undefined })],
    ['another admin ("sub")', () => ({ sub: randomUUID() })],
  ])('rejects a JWT with %s', async (_name, claims) => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { claims: claims() })}` });
  });

  // CONTRACT §8: time claims no JWT of this API carries (JWT_TTL_SECONDS is 3600 here).
  test.each([
    ['an "iat" 6 s in the future (beyond the 5 s tolerance)', () => ({ iat: now() + 6, exp: now() + 6 + 3_600 })],
    ['an "iat" an hour in the future', () => ({ iat: now() + 3_600, exp: now() + 3_660 })],
    ['a lifetime (exp − iat) of 3601 s, one over JWT_TTL_SECONDS', () => ({ iat: now() - 60, exp: now() - 60 + 3_601 })],
    ['a lifetime of 30 days', () => ({ iat: now(), exp: now() + 30 * 86_400 })],
  ])('rejects a JWT with %s', async (_name, claims) => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { claims: claims() })}` });
  });

  test.each([
    ['an "iat" 5 s in the future (within the tolerance)', () => ({ iat: now() + 5, exp: now() + 5 + 3_600 })],
    ['a lifetime of exactly JWT_TTL_SECONDS, issued a while ago', () => ({ iat: now() - 1_800, exp: now() - 1_800 + 3_600 })],
  ])('control: accepts a JWT with %s', async (_name, claims) => {
    expectCredential(await upsert({ authorization: `Bearer ${await forgeJwt(harness, { claims: claims() })}` }));
  });

  test.each([
    ['no "kid"', { kid: null }],
    ['a "kid" the key set does not hold', { kid: 'unknown-key' }],
  ])('rejects a JWT signed with the right key but with %s in its header', async (_name, options) => {
    await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, options)}` });
  });

  test('rejects a token over 2048 characters that is otherwise valid', async () => {
    const token = await forgeJwt(harness, { claims: { pad: 'x'.repeat(1_700) } });
    expect(token.length).toBeGreaterThan(2048);
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('control: a padded token just under 2048 characters is accepted', async () => {
    const base = (await forgeJwt(harness, { claims: { pad: '' } })).length;
    // Every 3 characters of padding add 4 base64url characters to the payload segment.
    const token = await forgeJwt(harness, { claims: { pad: 'x'.repeat(Math.floor(((2040 - base) * 3) / 4)) } });
    expect(token.length).toBeLessThanOrEqual(2048);
    expect(token.length).toBeGreaterThan(2000);
    expectCredential(await upsert({ authorization: `Bearer ${token}` }));
  });

  describe.each(EVENT_SHAPES)('over %s', (shape) => {
    test('accepts the issued JWT, whatever the case of the header name', async () => {
      expectCredential(await upsert({ Authorization: `Bearer ${issued}` }, shape));
      expectCredential(await upsert({ AUTHORIZATION: `Bearer ${issued}` }, shape));
    });

    test('rejects a missing, a wrongly signed, an expired and a revoked-version JWT', async () => {
      await expectRejected({}, shape);
      await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { key: new Uint8Array(randomBytes(32)) })}` }, shape);
      await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { claims: { exp: now() - 60 } })}` }, shape);
      await expectRejected({ authorization: `Bearer ${await forgeJwt(harness, { claims: { cv: 2 } })}` }, shape);
    });
  });
});
