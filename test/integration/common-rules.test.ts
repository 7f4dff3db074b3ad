// CONTRACT "Common rules": media type, body parsing and size, self-hosted switch, opaque 500s.
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
  expectError,
  signUp,
  type CoreEndpoint,
  type EventShape,
  type Harness,
  type RequestSpec,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';

const LIMIT = 16 * 1024;
const TOO_LARGE = `Request body must not exceed ${LIMIT} bytes`;
const NOT_JSON = 'Request body must be valid JSON';
const NOT_OBJECT = 'Request body must be a JSON object';
const MEDIA_TYPE = 'Content-Type must be application/json';
const SIGN_IN = { email: ADMIN.email, password: ADMIN.password };

type Endpoint = CoreEndpoint;
const PATH = CORE_PATHS;
const ENDPOINTS = Object.keys(PATH) as Endpoint[];

/** A JSON text of exactly `bytes` bytes: `{"pad":"xxx…"}`. */
const jsonOfSize = (bytes: number): string => `{"pad":"${'x'.repeat(bytes - 10)}"}`;

describe('common request rules', () => {
  let harness: Harness;
  let jwt: string;

  beforeAll(async () => {
    harness = await createHarness();
    jwt = await signUp(harness);
  });

  /** Calls an endpoint (with the admin JWT for the admin route) and checks the table did not change. */
  async function send(endpoint: Endpoint, shape: EventShape, spec: Omit<RequestSpec, 'path'>) {
    const before = await harness.items();
    const auth = endpoint === 'createServiceToken' ? bearer(jwt) : {};
    const response = await call(harness.handlers[endpoint], shape, { path: PATH[endpoint], ...spec, headers: { ...auth, ...spec.headers } });
    return { response, unchanged: async () => expect(await harness.items()).toStrictEqual(before) };
  }

  describe('Content-Type', () => {
    test.each(ENDPOINTS.flatMap((endpoint) => (['http-api', 'rest-api'] as const).map((shape) => [endpoint, shape] as const)))(
      '%s over %s: text/plain is 415 UNSUPPORTED_MEDIA_TYPE',
      async (endpoint, shape) => {
        const { response, unchanged } = await send(endpoint, shape, { body: JSON.stringify(SIGN_IN), contentType: 'text/plain' });
        expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', MEDIA_TYPE);
        await unchanged();
      },
    );

    test.each(ENDPOINTS.flatMap((endpoint) => (['http-api', 'rest-api'] as const).map((shape) => [endpoint, shape] as const)))(
      '%s over %s: a body without Content-Type is 415',
      async (endpoint, shape) => {
        const { response, unchanged } = await send(endpoint, shape, { body: { token: randomUUID() }, contentType: null });
        expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', MEDIA_TYPE);
        await unchanged();
      },
    );

    test.each(['application/x-www-form-urlencoded', 'application/jsonp', 'application/json-patch+json', 'text/json', 'multipart/form-data; boundary=x'])(
      '%s is 415',
      async (contentType) => {
        const { response } = await send('createAdminJwt', 'http-api', { body: SIGN_IN, contentType });
        expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE', MEDIA_TYPE);
      },
    );

    test.each(['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON'])(
      '%s is accepted',
      async (contentType) => {
        expectCredential((await send('createAdminJwt', 'http-api', { body: SIGN_IN, contentType })).response);
        expectCredential((await send('createServiceToken', 'http-api', { body: { token: randomUUID() }, contentType })).response);
      },
    );

    test('the header name is case-insensitive (REST API passes names as the client sent them)', async () => {
      const upper = await send('createAdminJwt', 'rest-api', { body: SIGN_IN, contentType: null, headers: { 'CONTENT-TYPE': 'application/json' } });
      expectCredential(upper.response);
      const mixed = await send('createAdminJwt', 'rest-api', { body: SIGN_IN, contentType: null, headers: { 'Content-Type': 'text/plain' } });
      expectError(mixed.response, 415, 'UNSUPPORTED_MEDIA_TYPE', MEDIA_TYPE);
    });

    test('the Authorization header name is case-insensitive', async () => {
      for (const name of ['authorization', 'Authorization', 'AUTHORIZATION']) {
        const response = await call(harness.handlers.createServiceToken, 'rest-api', {
          path: PATHS.serviceToken,
          headers: { [name]: `Bearer ${jwt}` },
          body: { token: randomUUID() },
        });
        expectCredential(response);
      }
    });

    test('an empty body needs no Content-Type: it is read as {} and fails validation', async () => {
      const { response, unchanged } = await send('createAdminJwt', 'http-api', { body: '', contentType: 'text/plain' });
      expectError(response, 400, 'INVALID_REQUEST_BODY', '"email" is required');
      await unchanged();
    });
  });

  describe.each(EVENT_SHAPES)('body parsing over %s', (shape) => {
    test.each(ENDPOINTS)('%s: invalid JSON is 400 INVALID_REQUEST_BODY', async (endpoint) => {
      const { response, unchanged } = await send(endpoint, shape, { body: '{"token": "abc",}' });
      expectError(response, 400, 'INVALID_REQUEST_BODY', NOT_JSON);
      await unchanged();
    });

    test.each([
      ['an array', '[]'],
      ['an array of objects', '[{"token":"x"}]'],
      ['a string', '"hello"'],
      ['a number', '42'],
      ['true', 'true'],
      ['null', 'null'],
    ])('a JSON body that is %s is 400 "Request body must be a JSON object"', async (_name, body) => {
      for (const endpoint of ENDPOINTS) {
        const { response, unchanged } = await send(endpoint, shape, { body });
        expectError(response, 400, 'INVALID_REQUEST_BODY', NOT_OBJECT);
        await unchanged();
      }
    });

    test.each(ENDPOINTS)('%s: a body over 16 KiB is 413 PAYLOAD_TOO_LARGE, before it is parsed', async (endpoint) => {
      for (const body of [jsonOfSize(LIMIT + 1), `{"not json${'x'.repeat(LIMIT)}`]) {
        const { response, unchanged } = await send(endpoint, shape, { body });
        expectError(response, 413, 'PAYLOAD_TOO_LARGE', TOO_LARGE);
        await unchanged();
      }
    });

    test('a body of exactly 16 KiB is parsed (and then fails validation)', async () => {
      const { response } = await send('createAdminJwt', shape, { body: jsonOfSize(LIMIT) });
      expectError(response, 400, 'INVALID_REQUEST_BODY', '"email" is required');
    });

    test('the limit counts UTF-8 bytes, not characters', async () => {
      // 6000 three-byte characters: 6 000 characters, 18 000 bytes.
      const { response } = await send('createAdminJwt', shape, { body: `{"pad":"${'€'.repeat(6_000)}"}` });
      expectError(response, 413, 'PAYLOAD_TOO_LARGE', TOO_LARGE);
    });
  });

  describe.each(['http-api', 'rest-api'] as const)('base64-encoded bodies over %s', (shape) => {
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

    test('a base64-encoded body is decoded first: sign-in and upsert work', async () => {
      expectCredential((await send('createAdminJwt', shape, { body: b64(JSON.stringify(SIGN_IN)), isBase64Encoded: true })).response);
      const token = randomUUID();
      const upsert = await send('createServiceToken', shape, { body: b64(JSON.stringify({ token })), isBase64Encoded: true });
      expectCredential(upsert.response);
      expect(upsert.response.body).toStrictEqual({ key: token });
    });

    test('a base64-encoded body is validated like any other', async () => {
      const { response, unchanged } = await send('createAdminJwt', shape, { body: b64(JSON.stringify({ email: ADMIN.email })), isBase64Encoded: true });
      expectError(response, 400, 'INVALID_REQUEST_BODY', '"password" is required');
      await unchanged();
      expectError((await send('createAdminJwt', shape, { body: b64('{oops'), isBase64Encoded: true })).response, 400, 'INVALID_REQUEST_BODY', NOT_JSON);
      expectError((await send('createAdminJwt', shape, { body: b64('[1]'), isBase64Encoded: true })).response, 400, 'INVALID_REQUEST_BODY', NOT_OBJECT);
    });

    test.each(ENDPOINTS)('%s: a base64-encoded body over 16 KiB (decoded) is 413', async (endpoint) => {
      for (const size of [LIMIT + 1, 4 * LIMIT]) {
        const { response, unchanged } = await send(endpoint, shape, { body: b64(jsonOfSize(size)), isBase64Encoded: true });
        expectError(response, 413, 'PAYLOAD_TOO_LARGE', TOO_LARGE);
        await unchanged();
      }
    });

    test('a base64-encoded body of exactly 16 KiB (decoded) is not too large', async () => {
      const { response } = await send('createAdminJwt', shape, { body: b64(jsonOfSize(LIMIT)), isBase64Encoded: true });
      expectError(response, 400, 'INVALID_REQUEST_BODY', '"email" is required');
    });
  });

  test.each(ENDPOINTS)('%s: a direct invocation whose object body is over 16 KiB is 413', async (endpoint) => {
    const { response, unchanged } = await send(endpoint, 'direct', { body: { pad: 'x'.repeat(LIMIT) } });
    expectError(response, 413, 'PAYLOAD_TOO_LARGE', TOO_LARGE);
    await unchanged();
  });
});

describe('SELF_HOSTED=false: every endpoint answers 500 SELFHOSTED_APP_ERROR before anything else', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ env: { SELF_HOSTED: 'false' } });
  });

  const requests: [string, Omit<RequestSpec, 'path'>][] = [
    ['a well-formed JSON body', { body: { ...ADMIN, token: randomUUID() } }],
    ['an invalid body', { body: { x: 1 } }],
    ['no body', {}],
    ['invalid JSON', { body: '{' }],
    ['text/plain', { body: 'hello', contentType: 'text/plain' }],
    ['a body over 16 KiB', { body: jsonOfSize(LIMIT + 100) }],
    ['a garbage Bearer', { body: { token: randomUUID() }, headers: { authorization: 'Bearer nope' } }],
  ];

  describe.each(EVENT_SHAPES)('over %s', (shape) => {
    test.each(ENDPOINTS)('%s', async (endpoint) => {
      for (const [, spec] of requests) {
        const response = await call(harness.handlers[endpoint], shape, { path: PATH[endpoint], ...spec });
        expectError(response, 500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances');
      }
      expect(await harness.items()).toStrictEqual([]);
    });
  });

  test('even with a valid admin JWT', async () => {
    const response = await call(harness.handlers.createServiceToken, 'http-api', {
      path: PATHS.serviceToken,
      headers: bearer(await forgeJwt(harness)),
      body: { token: randomUUID() },
    });
    expectError(response, 500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances');
  });
});

describe('an unexpected failure (the table does not exist) is an opaque 500 INTERNAL_SERVER_ERROR', () => {
  let broken: Harness;
  beforeAll(async () => {
    broken = await createHarness({ createTable: false });
  });

  const EXACT = '{"error":{"code":"INTERNAL_SERVER_ERROR","message":"INTERNAL_SERVER_ERROR"}}';

  function expectOpaque(response: Awaited<ReturnType<typeof call>>): void {
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    expect(response.raw).toBe(EXACT);
    for (const leak of [broken.tableName, 'ResourceNotFound', 'non-existent', 'not found', 'stack', ' at ', 'DynamoDB', 'Exception']) {
      expect(response.raw).not.toContain(leak);
      expect(JSON.stringify(response.headers)).not.toContain(leak);
    }
  }

  describe.each(EVENT_SHAPES)('over %s', (shape) => {
    test('sign-up', async () => {
      expectOpaque(await call(broken.handlers.createAdminAccount, shape, { path: PATHS.adminAccount, body: ADMIN }));
    });

    test('sign-in', async () => {
      expectOpaque(await call(broken.handlers.createAdminJwt, shape, { path: PATHS.adminJwt, body: SIGN_IN }));
    });

    test('service-token upsert with a valid admin JWT', async () => {
      const jwt = await forgeJwt(broken);
      expectOpaque(await call(broken.handlers.createServiceToken, shape, { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } }));
    });
  });

  test('request checks that need no table still answer as usual', async () => {
    expectError(
      await call(broken.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: { x: 1 } }),
      400,
      'INVALID_REQUEST_BODY',
      '"firstName" is required',
    );
    expectError(
      await call(broken.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, body: { token: randomUUID() } }),
      401,
      'AUTHENTICATION_ERROR',
      'Invalid or missing credentials',
    );
  });
});

describe('"__proto__" and "constructor" are unknown fields like any other, on every route with a body', () => {
  let harness: Harness;
  let jwt: string;
  let token: string;

  beforeAll(async () => {
    harness = await createHarness();
    jwt = await signUp(harness);
    token = (await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } })).body.key;
  });

  // Bodies that are valid but for the extra key, and that would change the table (or, for the
  // reset, answer another 400) if the key were dropped instead of refused.
  const routes: [string, () => { handler: keyof Harness['handlers']; path: string; headers?: Record<string, string>; body: Record<string, unknown> }][] = [
    ['sign-up', () => ({ handler: 'createAdminAccount', path: PATHS.adminAccount, body: { ...ADMIN, email: 'eve@initech.com' } })],
    ['sign-in', () => ({ handler: 'createAdminJwt', path: PATHS.adminJwt, body: SIGN_IN })],
    ['create service token', () => ({ handler: 'createServiceToken', path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } })],
    ['rotate, form (a)', () => ({ handler: 'rotateServiceToken', path: '/api/v2/service-token/rotate', headers: bearer(jwt), body: { token, expireAt: 0 } })],
    ['rotate, form (b)', () => ({ handler: 'rotateServiceToken', path: '/api/v2/service-token/rotate', headers: bearer(token), body: { expireAt: 0 } })],
    ['reset password', () => ({
      handler: 'resetAdminPassword', path: '/api/v2/service-token/reset-password', headers: bearer(jwt),
      body: { currentPassword: ADMIN.password, password: ADMIN.password },
    })],
  ];

  describe.each(EVENT_SHAPES)('over %s', (shape) => {
    test.each(routes.flatMap(([name, route]) => (['__proto__', 'constructor'] as const).map((key) => [name, key, route] as const)))(
      '%s with "%s": 400 INVALID_REQUEST_BODY, nothing written',
      async (_name, key, route) => {
        const { handler, path, headers, body } = route();
        // As JSON.parse (and the Lambda runtime, for a direct invocation) builds it: an own property
        // named __proto__, not the object's prototype.
        const withKey = JSON.parse(`${JSON.stringify(body).slice(0, -1)},"${key}":{"admin":true}}`) as Record<string, unknown>;
        expect(Object.keys(withKey)).toContain(key);
        const before = await harness.items();
        const response = await call(harness.handlers[handler] as (event: unknown) => Promise<never>, shape, { path, ...(headers ? { headers } : {}), body: withKey });
        expectError(response, 400, 'INVALID_REQUEST_BODY', `"${key}" is not allowed`);
        expect(await harness.items()).toStrictEqual(before);
      },
    );
  });
});
