// CONTRACT "Secrets at rest": the table never holds a raw token, password or JWT.
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
  PATHS,
  PHC_ARGON2ID,
  bearer,
  call,
  createHarness,
  expectCredential,
  sha256Base64url,
  signUp,
  tokenSetIn,
  type Harness,
} from '../support/harness.ts';
import { uuidSpellings } from '../support/proof.ts';


describe('secrets at rest', () => {
  let harness: Harness;
  const jwts: string[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    harness = await createHarness();
    jwts.push(await signUp(harness));

    const signIn = (password: string) =>
      call(harness.handlers.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email: ADMIN.email, password } });
    await signIn('Wr0ng!Password');
    const ok = await signIn(ADMIN.password);
    expectCredential(ok);
    jwts.push(ok.body.data.accessToken);

    // Upserts in every spelling, the last one left current.
    for (const spelling of [randomUUID().toUpperCase(), `{${randomUUID()}}`, randomUUID().replaceAll('-', ''), randomUUID()]) {
      const response = await call(harness.handlers.createServiceToken, 'http-api', {
        path: PATHS.serviceToken,
        headers: bearer(jwts[1]!),
        body: { token: spelling },
      });
      expectCredential(response);
      tokens.push(response.body.key);
    }
  });

  test('the table holds neither the password, nor any submitted token in any spelling, nor a JWT', async () => {
    const table = JSON.stringify(await harness.items());
    expect(table).not.toContain(ADMIN.password);
    expect(table).not.toContain('Wr0ng!Password');
    for (const token of tokens) {
      for (const spelling of uuidSpellings(token)) expect(table).not.toContain(spelling);
    }
    for (const jwt of jwts) {
      for (const segment of jwt.split('.')) expect(table).not.toContain(segment);
    }
    expect(table).not.toContain(Buffer.from(harness.secret).toString('base64url'));
    expect(table).not.toContain(Buffer.from(harness.secret).toString('base64'));
  });

  test('the current service token is kept as the base64url SHA-256 of its canonical spelling, and nothing else', async () => {
    const set = tokenSetIn(await harness.items());
    expect(set).toMatchObject({ current: { digest: sha256Base64url(tokens.at(-1)!) }, retired: [] });
    const table = JSON.stringify(await harness.items());
    for (const earlier of tokens.slice(0, -1)) expect(table).not.toContain(sha256Base64url(earlier));
  });

  test('the password is kept as an argon2id PHC string (m=19456, t=2, p=1) with a per-user salt', async () => {
    const account = (await harness.items()).find((item) => item.pk === 'ACCOUNT') as { passwordHash: string };
    expect(account.passwordHash).toMatch(PHC_ARGON2ID);

    // Same password, another instance: another salt, so another hash.
    const other = await createHarness();
    await signUp(other);
    const otherAccount = (await other.items()).find((item) => item.pk === 'ACCOUNT') as { passwordHash: string };
    expect(otherAccount.passwordHash).toMatch(PHC_ARGON2ID);
    const salt = (phc: string) => phc.split('$')[4];
    expect(salt(otherAccount.passwordHash)).not.toBe(salt(account.passwordHash));
    expect(otherAccount.passwordHash).not.toBe(account.passwordHash);
  });
});
