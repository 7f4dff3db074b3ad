// Proof suite: races at scale (50-way) on the run's engine. One account, no lost or phantom
// service token, exactly one winning rotation.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  ADMIN,
  EVENT_SHAPES,
  PATHS,
  bearer,
  call,
  expectCredential,
  expectError,
  jwtPayload,
  sha256Base64url,
  tokenSetIn,
  TOKEN_ID,
  type Answer,
} from '../support/harness.ts';
import { allowedTokens, introspect, rotate, spyOnStores, type RotationForm } from '../support/lifecycle.ts';
import { SOAK, createEmptyHarness, createWorld } from '../support/proof.ts';

const N = 50;
/** A soak repeats every race: rare interleavings get more chances. */
const ROUNDS = Array.from({ length: SOAK ? 10 : 1 }, (_, i) => i + 1);
const shapeOf = (i: number) => EVENT_SHAPES[i % EVENT_SHAPES.length]!;

afterEach(() => {
  jest.restoreAllMocks();
});

describe.each(ROUNDS)(`proof: ${N}-way races (round %i)`, () => {
  test(`${N} concurrent first-account creations: exactly one 200, one ACCOUNT item, the winner's; later sign-ups are refused before any hashing`, async () => {
    const harness = await createEmptyHarness();
    const spies = spyOnStores(harness.app);
    const bodies = Array.from({ length: N }, (_, i) => ({
      ...ADMIN,
      firstName: `Admin${i}`,
      email: `admin${i}@acme-corp.com`,
      companyName: `Company ${i}`,
    }));
    const responses = await Promise.all(
      bodies.map((body, i) => call(harness.handlers.createAdminAccount, shapeOf(i), { path: PATHS.adminAccount, body })),
    );

    const winners = responses.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.statusCode !== 200)) {
      expectError(loser, 400, 'INVALID_REQUEST', 'Your company account is already created, please sign in');
    }
    const items = await harness.items();
    expect(items.map((item) => item.pk)).toStrictEqual(['ACCOUNT']);
    const winner = winners[0]!;
    const account = items[0]!;
    expect(account.email).toBe(bodies[responses.indexOf(winner)]!.email);
    const jwt = winner.body.data.accessToken as string;
    expect(jwtPayload(jwt)).toMatchObject({ sub: account.adminId, companyId: account.companyId });
    // Of the burst, only those whose pre-check read ran before the winner's write hashed a password
    // and tried the conditional put; the put let exactly one through.
    const racedToPut = spies.counts()['accounts.create'];
    expect(racedToPut).toBeGreaterThanOrEqual(1);
    expect(racedToPut).toBeLessThanOrEqual(N);
    if (process.env.PROOF_VERBOSE) process.stderr.write(`sign-up race: ${racedToPut} of ${N} hashed and tried the put\n`);

    // A second burst, now that the account exists: every one is refused by the pre-check read,
    // before argon2 (no create call, so no hash), and the account is untouched.
    spies.reset();
    const again = await Promise.all(
      bodies.map((body, i) => call(harness.handlers.createAdminAccount, shapeOf(i), { path: PATHS.adminAccount, body })),
    );
    again.forEach((r) => expectError(r, 400, 'INVALID_REQUEST', 'Your company account is already created, please sign in'));
    expect(spies.counts()['accounts.create']).toBe(0);
    expect(await harness.items()).toStrictEqual(items);
    // And the winner is signed in for real.
    expectCredential(
      await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } }),
    );
  }, 60_000);

  test(`${N} concurrent upserts of ${N} different tokens: all 200, the final token is one of them, nothing else is valid`, async () => {
    const world = await createWorld();
    const { harness } = world;
    const previous = world.token!;
    const tokens = Array.from({ length: N }, () => randomUUID());

    const responses = await Promise.all(
      tokens.map((token, i) =>
        call(harness.handlers.createServiceToken, shapeOf(i), { path: PATHS.serviceToken, headers: bearer(world.jwt), body: { token } }),
      ),
    );
    responses.forEach((response, i) => {
      expectCredential(response);
      expect(response.body).toStrictEqual({ key: tokens[i] });
    });

    const set = tokenSetIn(await harness.items())!;
    const digests = tokens.map(sha256Base64url);
    const final = (set.current as { digest: string }).digest;
    expect(digests).toContain(final);
    expect(set.retired).toStrictEqual([]);
    // Every acknowledged upsert was a real write: the first token (1) plus N.
    expect(set.revision).toBe(N + 1);
    // Only the final token works; the 49 others and the one before them are refused.
    const allowed = await allowedTokens(harness, [previous, ...tokens]);
    expect(allowed).toStrictEqual([tokens[digests.indexOf(final)]]);
  }, 60_000);

  test(`${N} concurrent rotations of one token (both forms, all event shapes): exactly one 200; then exactly one current and the one in grace`, async () => {
    const world = await createWorld();
    const { harness, clock } = world;
    const old = world.token!;
    const before = tokenSetIn(await harness.items())!;
    const forms: RotationForm[] = ['a', 'b'];

    const responses: Answer[] = await Promise.all(
      Array.from({ length: N }, (_, i) => rotate(harness, forms[i % 2]!, world.jwt, old, 300, shapeOf(Math.floor(i / 2)))),
    );

    const winners = responses.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.statusCode !== 200)) {
      expectError(loser, 400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
    }
    const key = winners[0]!.body.key as string;

    const set = tokenSetIn(await harness.items())!;
    expect(set.revision).toBe((before.revision as number) + 1);
    const previous = before.current as { id: string; createdAt: number };
    expect(set.current).toStrictEqual({ id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(key), createdAt: clock.now() });
    // The old token keeps its id; a winner in form (b) also recorded the old token's use.
    expect(set.retired).toStrictEqual([
      {
        id: previous.id,
        digest: sha256Base64url(old),
        createdAt: previous.createdAt,
        expiresAt: clock.now() + 300_000,
        ...(responses.indexOf(winners[0]!) % 2 === 1 ? { lastUsedAt: clock.now() } : {}),
      },
    ]);
    expect(await allowedTokens(harness, [old, key])).toStrictEqual([old, key]);
    expect((await introspect(harness, 'http-api', `Bearer ${old}`)).body.data.expiresAt).toBe(new Date(clock.now() + 300_000).toISOString());
    expect((await introspect(harness, 'http-api', `Bearer ${key}`)).body.data.expiresAt).toBeNull();
  }, 60_000);
});
