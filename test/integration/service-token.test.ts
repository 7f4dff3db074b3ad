// CONTRACT §3 — POST /api/v2/service-token: upsert of the company's service token (the seed).
import { randomUUID } from 'node:crypto';
import { v1 as uuidv1, v7 as uuidv7 } from 'uuid';
import {
  EVENT_SHAPES,
  ManualClock,
  PATHS,
  bearer,
  call,
  createHarness,
  expectCredential,
  expectError,
  sha256Base64url,
  signUp,
  TOKEN_ID,
  type EventShape,
  type Harness,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';
import { tokenSet } from '../support/lifecycle.ts';

const upsertOn = (harness: Harness, shape: EventShape, jwt: string | undefined, body: unknown) =>
  call(harness.handlers.createServiceToken, shape, {
    path: PATHS.serviceToken,
    ...(jwt ? { headers: bearer(jwt) } : {}),
    body,
  });

describe.each(EVENT_SHAPES)('POST /api/v2/service-token over %s', (shape) => {
  const clock = new ManualClock();
  let harness: Harness;
  let jwt: string;
  let companyId: string;

  beforeAll(async () => {
    harness = await createHarness({ clock });
    jwt = await signUp(harness);
    companyId = (await harness.app.accounts.get())!.companyId;
  });

  test('creates the service token: 200 {"key"}, and the table holds only its SHA-256 digest', async () => {
    const token = randomUUID();
    const response = await upsertOn(harness, shape, jwt, { token });

    expectCredential(response);
    expect(response.body).toStrictEqual({ key: token });
    expect(await tokenSet(harness)).toStrictEqual({
      companyId,
      current: { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(token), createdAt: clock.now() },
      retired: [],
      revision: expect.any(Number),
    });
    expect(JSON.stringify(await harness.items())).not.toContain(token);
  });

  test('replaces the existing token: only the new digest remains', async () => {
    const first = randomUUID();
    const second = randomUUID();
    expectCredential(await upsertOn(harness, shape, jwt, { token: first }));
    const afterFirst = await tokenSet(harness);
    clock.advance(1_000);

    const response = await upsertOn(harness, shape, jwt, { token: second });
    expectCredential(response);
    expect(response.body).toStrictEqual({ key: second });

    expect(await tokenSet(harness)).toStrictEqual({
      companyId,
      current: { id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(second), createdAt: clock.now() },
      retired: [],
      revision: (afterFirst!.revision as number) + 1,
    });
    const table = JSON.stringify(await harness.items());
    expect(table).not.toContain(sha256Base64url(first));
    expect(table).not.toContain(first);
    expect(table).not.toContain(second);
  });

  test('resubmitting the current token answers 200 and leaves the item unchanged (same revision and createdAt)', async () => {
    const token = randomUUID();
    expectCredential(await upsertOn(harness, shape, jwt, { token }));
    const before = await harness.items();
    clock.advance(5_000);

    const again = await upsertOn(harness, shape, jwt, { token: token.toUpperCase() });
    expectCredential(again);
    expect(again.body).toStrictEqual({ key: token });
    expect(await harness.items()).toStrictEqual(before);
  });

  test.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a v1 (time-based) UUID', uuidv1()],
    ['a v7 (time-ordered) UUID', uuidv7()],
    ['a non-UUID', 'not-a-uuid'],
    ['a v4 UUID whose random part is all zeros', '00000000-0000-4000-8000-000000000000'],
    ['a v4 UUID counting up, braced and upper-case', '{01234567-89AB-4CDE-8F01-23456789ABCD}'],
  ])('refuses %s: 400 "token" must be a valid GUID, table unchanged', async (_name, token) => {
    const before = await harness.items();
    expectError(await upsertOn(harness, shape, jwt, { token }), 400, 'INVALID_REQUEST_BODY', '"token" must be a valid GUID');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('refuses a missing token: 400 "token" is required', async () => {
    const before = await harness.items();
    expectError(await upsertOn(harness, shape, jwt, {}), 400, 'INVALID_REQUEST_BODY', '"token" is required');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('without an admin JWT: 401 AUTHENTICATION_ERROR, table unchanged', async () => {
    const before = await harness.items();
    expectError(await upsertOn(harness, shape, undefined, { token: randomUUID() }), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('with a JWT for a company that does not exist: 500 ACCOUNT_NOT_FOUND, table unchanged', async () => {
    const before = await harness.items();
    const otherCompany = await forgeJwt(harness, { claims: { companyId: randomUUID() } });
    expectError(await upsertOn(harness, shape, otherCompany, { token: randomUUID() }), 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
    expect(await harness.items()).toStrictEqual(before);
  });
});

describe('POST /api/v2/service-token spellings and validation (http-api)', () => {
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    harness = await createHarness();
    jwt = await signUp(harness);
  });

  const canonical = 'c9a646d3-9c61-4cb7-bfcd-ee2522c8f633';
  test.each([
    ['lowercase', canonical],
    ['uppercase', canonical.toUpperCase()],
    ['braced', `{${canonical}}`],
    ['braced uppercase', `{${canonical.toUpperCase()}}`],
    ['unhyphenated', canonical.replaceAll('-', '')],
    ['unhyphenated uppercase', canonical.replaceAll('-', '').toUpperCase()],
  ])('accepts the %s spelling and answers the canonical form', async (_name, spelling) => {
    const response = await upsertOn(harness, 'http-api', jwt, { token: spelling });
    expectCredential(response);
    expect(response.body).toStrictEqual({ key: canonical });
    const item = await tokenSet(harness);
    expect(item?.current).toStrictEqual({ id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(canonical), createdAt: expect.any(Number) });
    expect(item?.retired).toStrictEqual([]);
  });

  test('the spellings are one token: after the first, each is a no-op', async () => {
    const token = randomUUID();
    expectCredential(await upsertOn(harness, 'http-api', jwt, { token: `{${token.toUpperCase()}}` }));
    const before = await harness.items();
    for (const spelling of [token, token.toUpperCase(), token.replaceAll('-', ''), `{${token}}`]) {
      expectCredential(await upsertOn(harness, 'http-api', jwt, { token: spelling }));
    }
    expect(await harness.items()).toStrictEqual(before);
  });

  const v4 = 'c9a646d3-9c61-4cb7-bfcd-ee2522c8f633';
  test.each([
    ['a number', 12345, '"token" must be a string'],
    ['null', null, '"token" must be a string'],
    ['an object', { value: v4 }, '"token" must be a string'],
    ['an empty string', '', '"token" is not allowed to be empty'],
    ['a v4 UUID with a wrong variant', 'c9a646d3-9c61-4cb7-7fcd-ee2522c8f633', '"token" must be a valid GUID'],
    ['a v3 UUID', 'c9a646d3-9c61-3cb7-bfcd-ee2522c8f633', '"token" must be a valid GUID'],
    ['a v5 UUID', 'c9a646d3-9c61-5cb7-bfcd-ee2522c8f633', '"token" must be a valid GUID'],
    ['a UUID with trailing characters', `${v4}x`, '"token" must be a valid GUID'],
    ['a UUID too short', v4.slice(0, -1), '"token" must be a valid GUID'],
    ['a UUID with mismatched braces', `{${v4}]`, '"token" must be a valid GUID'],
    ['a UUID with surrounding spaces', ` ${v4} `, '"token" must be a valid GUID'],
  ])('refuses %s', async (_name, token, message) => {
    const before = await harness.items();
    expectError(await upsertOn(harness, 'http-api', jwt, { token }), 400, 'INVALID_REQUEST_BODY', message);
    expect(await harness.items()).toStrictEqual(before);
  });

  test('refuses an unknown field next to a valid token: 400 "x" is not allowed', async () => {
    const before = await harness.items();
    expectError(await upsertOn(harness, 'http-api', jwt, { token: randomUUID(), x: 1 }), 400, 'INVALID_REQUEST_BODY', '"x" is not allowed');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('ACCOUNT_NOT_FOUND for a JWT with the right admin and credential version but another companyId', async () => {
    const account = (await harness.app.accounts.get())!;
    const before = await harness.items();
    const token = await forgeJwt(harness, { claims: { sub: account.adminId, cv: account.credentialVersion, companyId: randomUUID() } });
    expectError(await upsertOn(harness, 'http-api', token, { token: randomUUID() }), 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
    expect(await harness.items()).toStrictEqual(before);
  });

  test('ACCOUNT_NOT_FOUND when the table holds no account at all', async () => {
    const empty = await createHarness();
    const token = await forgeJwt(empty);
    expectError(await upsertOn(empty, 'http-api', token, { token: randomUUID() }), 500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
    expect(await empty.items()).toStrictEqual([]);
  });
});

describe('POST /api/v2/service-token authenticates before it validates the body', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await signUp(harness);
  });

  test.each([
    ['no Authorization header', undefined],
    ['an invalid JWT', 'Bearer not.a.jwt'],
    ['a Basic credential', 'Basic YWRtaW46cGFzc3dvcmQ='],
  ])('with %s', async (_name, authorization) => {
    const before = await harness.items();
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const requests = [
      { body: { token: 'not-a-uuid' } },
      { body: {} },
      { body: { token: randomUUID(), x: 1 } },
      { body: '{"token": ' },
      { body: '[]' },
      { body: 'token=abc', contentType: 'text/plain' },
      { body: { token: 'x'.repeat(20_000) } },
    ];
    for (const request of requests) {
      const response = await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers, ...request });
      expectError(response, 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    }
    expect(await harness.items()).toStrictEqual(before);
  });
});
