import Joi from 'joi';
import { json } from '../../lib/http/response.ts';
import { handlerFor, tokenRoute } from '../../lib/wiring/route.lean.ts';
import { adminOrServiceTokenRoute, adminRoute, claimRoute, operatorRoute, publicRoute, serviceTokenRoute } from '../../lib/wiring/routes.ts';
import { bearer, call, createHarness, expectError, ManualClock, signUp, type Harness } from '../support/harness.ts';
import { createToken, SECOND } from '../support/lifecycle.ts';

/*
 * The kinds of route (lib/wiring/route.lean.ts), each served by the one factory,
 * handlerFor: who gets in, what the route is told about the caller, and that the body is checked
 * after the credential. The real handlers are built the same way (test/support/wiring.ts); this
 * suite holds the kinds no handler of today uses yet (service-token, and admin-or-service-token
 * with its use recorded) to the same rules.
 */
const schema = Joi.object({ n: Joi.number().required() });
const echo = { schema: () => schema };

let harness: Harness;
let clock: ManualClock;
let jwt: string;
let token: string;

beforeAll(async () => {
  clock = new ManualClock();
  harness = await createHarness({ clock });
  jwt = await signUp(harness);
  token = await createToken(harness, jwt);
});

const lastUsedAt = async () => (await harness.app.serviceTokens.read())!.tokens.active[0]!.lastUsedAt;

it('public: anyone, the body validated with the route schema', async () => {
  const handler = handlerFor(publicRoute({ ...echo, run: async ({ body, principal }) => json(200, { body, principal: principal ?? null }) }), harness.app);
  expect((await call(handler, 'http-api', { path: '/x', body: { n: 1 } })).body).toStrictEqual({ body: { n: 1 }, principal: null });
  expectError(await call(handler, 'http-api', { path: '/x', body: {} }), 400, 'INVALID_REQUEST_BODY', '"n" is required');
});

it('admin: an admin JWT; the principal is the account; a service token or nothing is refused before the body is read', async () => {
  const handler = handlerFor(adminRoute({ ...echo, run: async ({ principal }) => json(200, { adminId: principal.adminId }) }), harness.app);
  const ok = await call(handler, 'http-api', { path: '/x', headers: bearer(jwt), body: { n: 1 } });
  expect(ok.statusCode).toBe(200);
  expect(ok.body.adminId).toStrictEqual(expect.any(String));
  expectError(await call(handler, 'http-api', { path: '/x', headers: bearer(token), body: {} }), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
  expectError(await call(handler, 'http-api', { path: '/x', body: {} }), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
});

it('service-token: the service token, its use recorded; an admin JWT is refused', async () => {
  clock.advance(10 * 60 * SECOND);
  const handler = handlerFor(serviceTokenRoute({ ...echo, run: async ({ principal }) => json(200, { id: principal.at.key.id, standing: principal.at.standing }) }), harness.app);
  const ok = await call(handler, 'http-api', { path: '/x', headers: bearer(token), body: { n: 1 } });
  expect(ok.body).toStrictEqual({ id: expect.stringMatching(/^st_/), standing: 'active' });
  expect(await lastUsedAt()).toBe(clock.now());
  expectError(await call(handler, 'http-api', { path: '/x', headers: bearer(jwt), body: { n: 1 } }), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
});

it('admin-or-service-token: either credential, told apart by its shape, with the token set either way', async () => {
  clock.advance(10 * 60 * SECOND);
  const route = (recordUse: boolean) => adminOrServiceTokenRoute({
    ...echo,
    recordUse,
    run: async ({ principal }) => json(200, { form: principal.form, current: principal.state.tokens.active.length }),
  });
  const recording = handlerFor(route(true), harness.app);
  const silent = handlerFor(route(false), harness.app);
  expect((await call(recording, 'http-api', { path: '/x', headers: bearer(jwt), body: { n: 1 } })).body).toStrictEqual({ form: 'admin', current: 1 });
  const before = await lastUsedAt();
  expect((await call(silent, 'http-api', { path: '/x', headers: bearer(token), body: { n: 1 } })).body).toStrictEqual({ form: 'service-token', current: 1 });
  expect(await lastUsedAt()).toBe(before);
  expect((await call(recording, 'http-api', { path: '/x', headers: bearer(token), body: { n: 1 } })).body).toStrictEqual({ form: 'service-token', current: 1 });
  expect(await lastUsedAt()).toBe(clock.now());
  expectError(await call(recording, 'http-api', { path: '/x', body: { n: 1 } }), 401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
});

it('token (lean): the service token, no body read at all', async () => {
  const handler = handlerFor(tokenRoute({ run: async ({ principal, body }) => json(200, { id: principal.at.key.id, body: body ?? null }) }), harness.app);
  const ok = await call(handler, 'http-api', { path: '/x', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'not json' });
  expect(ok.body).toStrictEqual({ id: expect.stringMatching(/^st_/), body: null });
  expectError(await call(handler, 'http-api', { path: '/x', headers: bearer(jwt) }), 401, 'AUTHENTICATION_ERROR', 'Invalid Service Token');
});

it('claim: the proof the claim mode asks for, before the body (claimMode iam here: a direct invocation)', async () => {
  const iam = await createHarness({ env: { CLAIM_MODE: 'iam' } });
  const handler = handlerFor(claimRoute({ ...echo, run: async ({ body }) => json(200, { body }) }), iam.app);
  expect((await call(handler, 'direct', { path: '/x', body: { n: 1 } })).body).toStrictEqual({ body: { n: 1 } });
  expectError(await call(handler, 'direct', { path: '/x', body: {} }), 400, 'INVALID_REQUEST_BODY', '"n" is required');
  expectError(await call(handler, 'http-api', { path: '/x', body: {} }), 403, 'CLAIM_BY_INVOCATION_ONLY',
    'This instance can only be claimed by its operator (databrain-admin bootstrap)');
});

it('operator: a direct invocation only; an API Gateway event is refused before the body is read', async () => {
  const handler = handlerFor(operatorRoute({ ...echo, run: async ({ body }) => json(200, { body }) }), harness.app);
  expect((await call(handler, 'direct', { path: '/x', body: { n: 1 } })).body).toStrictEqual({ body: { n: 1 } });
  for (const shape of ['http-api', 'rest-api'] as const) {
    expectError(await call(handler, shape, { path: '/x', body: {} }), 403, 'RECOVERY_BY_INVOCATION_ONLY',
      'Admin access can only be recovered by the operator (databrain-admin recover)');
  }
});
