// Races: the single-account rule, concurrent upserts, concurrent failed sign-ins.
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
  PATHS,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  jwtPayload,
  sha256Base64url,
  signUp,
  tokenSetIn,
} from '../support/harness.ts';

describe('concurrency', () => {
  test('6 concurrent first-account creations: exactly one 200, five 400 INVALID_REQUEST, one ACCOUNT item', async () => {
    const harness = await createHarness();
    const bodies = Array.from({ length: 6 }, (_, i) => ({
      ...ADMIN,
      firstName: `Admin${i}`,
      email: `admin${i}@acme-corp.com`,
      companyName: `Company ${i}`,
    }));
    const responses = await Promise.all(
      bodies.map((body) => call(harness.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body })),
    );

    const winners = responses.filter((r) => r.statusCode === 200);
    const losers = responses.filter((r) => r.statusCode !== 200);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(5);
    for (const loser of losers) {
      expectError(loser, 400, 'INVALID_REQUEST', 'Your company account is already created, please sign in');
    }

    const items = await harness.items();
    expect(items.filter((item) => item.pk === 'ACCOUNT')).toHaveLength(1);
    expect(items).toHaveLength(1);
    // The stored account is the one whose creator got the 200, and its JWT works.
    const winner = winners[0]!;
    const jwt = winner.body.data.accessToken as string;
    const account = items[0]!;
    expect(jwtPayload(jwt)).toMatchObject({ sub: account.adminId, companyId: account.companyId });
    const index = responses.indexOf(winner);
    expect(account.email).toBe(bodies[index]!.email);
    expectCredential(
      await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } }),
    );
  });

  test('20 concurrent upserts of 20 different tokens: all 200, and exactly one of them is the valid token', async () => {
    const harness = await createHarness();
    const jwt = await signUp(harness);
    const tokens = Array.from({ length: 20 }, () => randomUUID());

    const responses = await Promise.all(
      tokens.map((token) =>
        call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token } }),
      ),
    );
    responses.forEach((response, i) => {
      expectCredential(response);
      expect(response.body).toStrictEqual({ key: tokens[i] });
    });

    const set = tokenSetIn(await harness.items());
    const digests = tokens.map(sha256Base64url);
    expect(set).toBeDefined();
    expect(digests).toContain((set!.current as { digest: string }).digest);
    expect(set!.retired).toStrictEqual([]);
    // Every acknowledged upsert was a real write (none silently dropped): 20 writes on a fresh table.
    expect(set!.revision).toBe(20);
    const table = JSON.stringify(await harness.items());
    expect(digests.filter((digest) => table.includes(digest))).toHaveLength(1);
  });

  test('8 concurrent wrong-password sign-ins from one address: at most 5 are checked, the rest get 429', async () => {
    const harness = await createHarness();
    await signUp(harness);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(harness.handlers.createAdminJwt, 'http-api', {
          path: PATHS.adminJwt,
          body: { email: ADMIN.email, password: 'Wr0ng!Password' },
          sourceIp: '192.0.2.77',
        }),
      ),
    );
    const checked = responses.filter((r) => r.statusCode === 400);
    const locked = responses.filter((r) => r.statusCode === 429);
    expect(checked).toHaveLength(5);
    expect(locked).toHaveLength(3);
    checked.forEach((r) => expectError(r, 400, 'INVALID_CREDENTIALS', 'Invalid credentials'));
    locked.forEach((r) => expectError(r, 429, 'TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts, try again later'));
  });
});
