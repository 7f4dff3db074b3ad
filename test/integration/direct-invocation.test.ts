// CONTRACT "Direct invocation": `aws lambda invoke` payloads, same answers, same credentials.
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
  createHarness,
  expectCredential,
  expectError,
  invoke,
  lambdaContext,
  type Harness,
} from '../support/harness.ts';

const UNAUTHENTICATED = 'Invalid or missing credentials';

describe('direct invocation', () => {
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    harness = await createHarness();
    const created = await invoke(harness.handlers.createAdminAccount, { body: ADMIN }, lambdaContext());
    expectCredential(created);
    jwt = created.body.data.accessToken;
  });

  test('sign-up with {"body": <object>} and no headers at all created the account', async () => {
    expect((await harness.items()).map((item) => item.pk)).toStrictEqual(['ACCOUNT']);
  });

  test('{"headers": {"authorization": "Bearer …"}, "body": <object>} upserts the service token', async () => {
    const token = randomUUID();
    const response = await invoke(harness.handlers.createServiceToken, { headers: { authorization: `Bearer ${jwt}` }, body: { token } });
    expectCredential(response);
    expect(response.body).toStrictEqual({ key: token });
  });

  test('the body may be a JSON string', async () => {
    const token = randomUUID();
    const response = await invoke(harness.handlers.createServiceToken, {
      headers: { authorization: `Bearer ${jwt}` },
      body: JSON.stringify({ token }),
    });
    expectCredential(response);
    expect(response.body).toStrictEqual({ key: token });

    const signIn = await invoke(harness.handlers.createAdminJwt, { body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }) });
    expectCredential(signIn);
  });

  test('the header name may be capitalised', async () => {
    const response = await invoke(harness.handlers.createServiceToken, { headers: { Authorization: `Bearer ${jwt}` }, body: { token: randomUUID() } });
    expectCredential(response);
  });

  test('a Content-Type, if named, must still be JSON', async () => {
    const before = await harness.items();
    const response = await invoke(harness.handlers.createServiceToken, {
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ token: randomUUID() }),
    });
    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    expect(await harness.items()).toStrictEqual(before);
  });

  test.each([
    ['no headers', { body: { token: randomUUID() } }],
    ['headers without authorization', { headers: {}, body: { token: randomUUID() } }],
    ['an authorization that is not a string', { headers: { authorization: 42 }, body: { token: randomUUID() } }],
    ['an invalid JWT', { headers: { authorization: 'Bearer x.y.z' }, body: { token: randomUUID() } }],
    ['a Lambda context but no JWT (IAM permission is not a substitute)', { body: { token: randomUUID() } }],
  ])('without a valid admin JWT (%s): 401, table unchanged', async (_name, event) => {
    const before = await harness.items();
    expectError(await invoke(harness.handlers.createServiceToken, event, lambdaContext()), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    expect(await harness.items()).toStrictEqual(before);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a string', 'hello'],
    ['an array', []],
  ])('a payload that is %s is answered, not crashed on', async (_name, event) => {
    const before = await harness.items();
    expectError(await invoke(harness.handlers.createAdminJwt, event), 400, 'INVALID_REQUEST_BODY', '"email" is required');
    expectError(await invoke(harness.handlers.createServiceToken, event), 401, 'AUTHENTICATION_ERROR', UNAUTHENTICATED);
    expect(await harness.items()).toStrictEqual(before);
  });

  test('a body that is an array or a number is 400 "Request body must be a JSON object"', async () => {
    for (const body of [[{ token: randomUUID() }], 42, true]) {
      const response = await invoke(harness.handlers.createServiceToken, { headers: { authorization: `Bearer ${jwt}` }, body });
      expectError(response, 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object');
    }
  });
});
