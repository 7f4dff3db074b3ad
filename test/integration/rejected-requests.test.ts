// A rejected request leaves the table exactly as it was — checked against a table that holds an
// account, a service token and a sign-in attempt record, across all three endpoints.
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
  CORE_PATHS,
  EVENT_SHAPES,
  PATHS,
  bearer,
  call,
  createHarness,
  expectCredential,
  type CoreEndpoint,
  type EventShape,
  type Harness,
  type RequestSpec,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';

type Endpoint = CoreEndpoint;
const PATH = CORE_PATHS;

interface Rejection {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly status: number;
  readonly code: string;
  /** Built once the harness (and its account) exist. */
  readonly spec: (ctx: { harness: Harness; jwt: string }) => Promise<Omit<RequestSpec, 'path'>> | Omit<RequestSpec, 'path'>;
}

const REJECTIONS: Rejection[] = [
  // sign-up
  { name: 'sign-up when the account exists', endpoint: 'createAdminAccount', status: 400, code: 'INVALID_REQUEST', spec: () => ({ body: { ...ADMIN, email: 'eve@evil-corp.com' } }) },
  { name: 'sign-up with a consumer email', endpoint: 'createAdminAccount', status: 400, code: 'INVALID_REQUEST_BODY', spec: () => ({ body: { ...ADMIN, email: 'eve@gmail.com' } }) },
  { name: 'sign-up with a weak password', endpoint: 'createAdminAccount', status: 400, code: 'INVALID_REQUEST_BODY', spec: () => ({ body: { ...ADMIN, password: 'password' } }) },
  { name: 'sign-up as text/plain', endpoint: 'createAdminAccount', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', spec: () => ({ body: JSON.stringify(ADMIN), contentType: null, headers: { 'content-type': 'text/plain' } }) },
  { name: 'sign-up over 16 KiB', endpoint: 'createAdminAccount', status: 413, code: 'PAYLOAD_TOO_LARGE', spec: () => ({ body: { ...ADMIN, pad: 'x'.repeat(17_000) } }) },
  // sign-in (validation failures are not attempts)
  { name: 'sign-in without a password', endpoint: 'createAdminJwt', status: 400, code: 'INVALID_REQUEST_BODY', spec: () => ({ body: { email: ADMIN.email } }) },
  { name: 'sign-in with an unknown field', endpoint: 'createAdminJwt', status: 400, code: 'INVALID_REQUEST_BODY', spec: () => ({ body: { email: ADMIN.email, password: ADMIN.password, admin: true } }) },
  { name: 'sign-in with invalid JSON', endpoint: 'createAdminJwt', status: 400, code: 'INVALID_REQUEST_BODY', spec: () => ({ body: '{"email":' }) },
  // service token
  { name: 'upsert without a JWT', endpoint: 'createServiceToken', status: 401, code: 'AUTHENTICATION_ERROR', spec: () => ({ body: { token: randomUUID() } }) },
  { name: 'upsert with a wrong-key JWT', endpoint: 'createServiceToken', status: 401, code: 'AUTHENTICATION_ERROR', spec: async ({ harness }) => ({ headers: bearer(await forgeJwt(harness, { key: new Uint8Array(32) })), body: { token: randomUUID() } }) },
  { name: 'upsert with a stale credential version', endpoint: 'createServiceToken', status: 401, code: 'AUTHENTICATION_ERROR', spec: async ({ harness }) => ({ headers: bearer(await forgeJwt(harness, { claims: { cv: 7 } })), body: { token: randomUUID() } }) },
  { name: 'upsert with a v1 UUID', endpoint: 'createServiceToken', status: 400, code: 'INVALID_REQUEST_BODY', spec: ({ jwt }) => ({ headers: bearer(jwt), body: { token: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' } }) },
  { name: 'upsert with the nil UUID', endpoint: 'createServiceToken', status: 400, code: 'INVALID_REQUEST_BODY', spec: ({ jwt }) => ({ headers: bearer(jwt), body: { token: '00000000-0000-0000-0000-000000000000' } }) },
  { name: 'upsert with a JSON array', endpoint: 'createServiceToken', status: 400, code: 'INVALID_REQUEST_BODY', spec: ({ jwt }) => ({ headers: bearer(jwt), body: `[${JSON.stringify({ token: randomUUID() })}]` }) },
  { name: 'upsert over 16 KiB', endpoint: 'createServiceToken', status: 413, code: 'PAYLOAD_TOO_LARGE', spec: ({ jwt }) => ({ headers: bearer(jwt), body: { token: randomUUID(), pad: 'x'.repeat(17_000) } }) },
  { name: 'upsert for another company', endpoint: 'createServiceToken', status: 500, code: 'ACCOUNT_NOT_FOUND', spec: async ({ harness }) => ({ headers: bearer(await forgeJwt(harness, { claims: { companyId: randomUUID() } })), body: { token: randomUUID() } }) },
];

describe.each(EVENT_SHAPES)('rejected requests leave the table exactly as it was (%s)', (shape: EventShape) => {
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    harness = await createHarness();
    const created = await call(harness.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN });
    jwt = created.body.data.accessToken;
    expectCredential(
      await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } }),
    );
    // One failed sign-in from another address, so attempt records (its address's and its email's)
    // are part of the state too.
    await call(harness.handlers.createAdminJwt, 'http-api', {
      path: PATHS.adminJwt,
      body: { email: ADMIN.email, password: 'Wr0ng!Password' },
      sourceIp: '192.0.2.200',
    });
    expect((await harness.items()).length).toBe(3);
  });

  test.each(REJECTIONS.map((r) => [r.name, r] as const))('%s', async (_name, rejection) => {
    const spec = await rejection.spec({ harness, jwt });
    const before = await harness.items();
    const response = await call(harness.handlers[rejection.endpoint], shape, { path: PATH[rejection.endpoint], ...spec });
    expect({ status: response.statusCode, code: response.body.error?.code }).toStrictEqual({ status: rejection.status, code: rejection.code });
    expect(await harness.items()).toStrictEqual(before);
  });

  test('a wrong password changes nothing but the attempt records of its (email, address) and of its email', async () => {
    const before = await harness.items();
    const response = await call(harness.handlers.createAdminJwt, shape, {
      path: PATHS.adminJwt,
      body: { email: ADMIN.email, password: 'Wr0ng!Password' },
      sourceIp: `192.0.2.${EVENT_SHAPES.indexOf(shape) + 1}`,
    });
    expect(response.statusCode).toBe(400);
    const after = await harness.items();
    const added = after.filter((item) => !before.some((b) => b.pk === item.pk));
    const emailCounter = (items: Record<string, unknown>[]) => items.find((item) => String(item.pk).startsWith('SIGNIN#EMAIL#'));
    const others = (items: Record<string, unknown>[]) => items.filter((item) => item !== emailCounter(items));
    expect(others(after).filter((item) => before.some((b) => b.pk === item.pk))).toStrictEqual(others(before));
    expect(emailCounter(after)).toStrictEqual({ ...emailCounter(before), attempts: (emailCounter(before)!.attempts as number) + 1 });
    expect(added).toStrictEqual([
      { pk: expect.stringMatching(/^SIGNIN#[A-Za-z0-9_-]{43}$/), attempts: 1, windowEndsAt: expect.any(Number), expiresAt: expect.any(Number) },
    ]);
  });
});
