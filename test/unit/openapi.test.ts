import { Validator } from '@seriousme/openapi-schema-validator';
import type Joi from 'joi';
import { readServerlessConfig } from '../../scripts/serverless-config.ts';
import * as errors from '../../lib/errors.ts';
import { errorResult } from '../../lib/http/response.ts';
import { MAX_BODY_BYTES } from '../../lib/http/request.ts';
import { createServiceTokenSchema, emptyBodySchema, revokeWithAdminSchema, rotateWithAdminSchema, rotateWithTokenSchema } from '../../lib/service-token/bodies.ts';
import { resetPasswordSchema, signInSchema, signUpSchema } from '../../lib/admin/bodies.ts';
import { OPENAPI_FILE, OpenApiContract, pointerSegment, type DirectExchange, type HttpExchange } from '../support/openapi-contract.ts';

/*
 * openapi.yaml checked as a document (OpenAPI 3.1, strict JSON Schema 2020-12, examples), against
 * the code it describes (routes, error codes and messages, request validation), and the checker
 * the end-to-end suite runs on every answer, shown to catch what it must catch.
 */

const contract = OpenApiContract.load();
const doc = contract.document;

/** Every place in the document that holds a schema, as a JSON pointer. */
function schemaPointers(): string[] {
  const pointers = Object.keys(doc.components.schemas).map((name) => `/components/schemas/${name}`);
  const mediaTypes = (base: string, content: Record<string, unknown> | undefined) =>
    Object.keys(content ?? {}).map((type) => `${base}/content/${pointerSegment(type)}/schema`);
  const response = (base: string, value: any) => [
    ...mediaTypes(base, value.content),
    ...Object.entries(value.headers ?? {}).filter(([, h]: [string, any]) => !h.$ref).map(([name]) => `${base}/headers/${pointerSegment(name)}/schema`),
  ];
  for (const [name, value] of Object.entries<any>(doc.components.responses ?? {})) pointers.push(...response(`/components/responses/${name}`, value));
  for (const name of Object.keys(doc.components.headers ?? {})) pointers.push(`/components/headers/${name}/schema`);
  for (const { pointer } of contract.operations()) {
    const operation = contract.at(pointer);
    if (operation.requestBody) pointers.push(...mediaTypes(`${pointer}/requestBody`, operation.requestBody.content));
    for (const [status, value] of Object.entries<any>(operation.responses)) {
      if (!value.$ref) pointers.push(...response(`${pointer}/responses/${status}`, value));
    }
  }
  return pointers;
}

describe('openapi.yaml as a document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator, the official OAS 3.1 schema)', async () => {
    const validator = new Validator();
    const result = await validator.validate(OPENAPI_FILE);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('compiles every schema under Ajv strict mode: no unknown keyword, no undeclared required property', () => {
    const failures: string[] = [];
    for (const pointer of schemaPointers()) {
      try {
        contract.schemaAt(pointer);
      } catch (error) {
        failures.push(`${pointer}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has examples, and every example matches its schema', () => {
    const failures: string[] = [];
    let checked = 0;
    const check = (schemaPointer: string, value: unknown, where: string, header = false) => {
      checked++;
      const problems = contract.validate(schemaPointer, value, { header });
      if (problems) failures.push(`${where}: ${problems}`);
    };
    for (const pointer of schemaPointers()) {
      const schema = contract.at(pointer);
      (schema.examples ?? []).forEach((example: unknown, i: number) => check(pointer, example, `${pointer}/examples/${i}`));
      if (!pointer.endsWith('/schema')) continue; // a component schema: its examples are its own
      const owner = pointer.slice(0, -'/schema'.length);
      const container = contract.at(owner);
      if (container.example !== undefined) check(pointer, container.example, `${owner}/example`, owner.includes('/headers/'));
      for (const name of Object.keys(container.examples ?? {})) {
        const example = contract.resolve(`${owner}/examples/${pointerSegment(name)}`);
        check(pointer, example.value.value, `${owner}/examples/${name}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('describes exactly the HTTP routes of serverless.yml, each operationId being the function name (the console\'s web page aside)', () => {
    const { functions } = readServerlessConfig();
    // The admin console's page and assets (GET /console…) are HTML for a browser, not an API
    // operation: docs/api.md says where they are described.
    const routes = Object.entries(functions).filter(([name]) => name !== 'console').flatMap(([name, fn]) =>
      (fn.events ?? []).filter((e) => e.httpApi).map((e) => `${e.httpApi!.method.toUpperCase()} ${e.httpApi!.path} ${name}`));
    const documented = contract.operations().map((o) => `${o.method} ${o.path} ${o.operationId}`);
    expect(documented.sort()).toEqual(routes.sort());
  });

  it('keeps the common rules on every operation: JSON answers, Cache-Control, 401 challenge, 429 Retry-After, body errors', () => {
    const failures: string[] = [];
    for (const { method, path, pointer } of contract.operations()) {
      const operation = contract.at(pointer);
      for (const status of Object.keys(operation.responses)) {
        const { value: response } = contract.resolve(`${pointer}/responses/${status}`);
        const where = `${method} ${path} ${status}`;
        if (Object.keys(response.content ?? {}).join() !== 'application/json') failures.push(`${where}: not application/json only`);
        const gatewayOnly = method === 'GET' && status === '403';
        if (!gatewayOnly && !response.headers?.['Cache-Control']) failures.push(`${where}: no Cache-Control`);
        if (status === '401' && !response.headers?.['WWW-Authenticate']) failures.push(`${where}: no WWW-Authenticate`);
        if (status === '429' && !response.headers?.['Retry-After']) failures.push(`${where}: no Retry-After`);
      }
      if (operation.requestBody) {
        for (const status of ['200', '400', '413', '415', '500']) {
          if (!operation.responses[status]) failures.push(`${method} ${path}: takes a body but documents no ${status}`);
        }
      }
      if (operation.security === undefined) failures.push(`${method} ${path}: no security requirement (use [] for none)`);
    }
    expect(failures).toEqual([]);
  });

  it('documents both authentication forms of the revocation, each with its own body', () => {
    const revoke = contract.at('/paths/~1api~1v2~1service-token~1revoke/post');
    expect(revoke.security).toEqual([{ adminJwt: [] }, { serviceToken: [] }]);
    const body = '/paths/~1api~1v2~1service-token~1revoke/post/requestBody/content/application~1json/schema';
    expect(contract.validate(body, { id: 'st_a2c4e6g7j3l5n7q2' })).toBe('');
    expect(contract.validate(body, {})).toBe('');
    expect(contract.validate(body, { id: 'st_a2c4e6g7j3l5n7q2', extra: 1 })).not.toBe('');
    expect(contract.validate('/components/schemas/TokenId', 'st_a2c4e6g7j3l5n7q2')).toBe('');
    expect(contract.validate('/components/schemas/TokenId', 'st_A2C4E6G7J3L5N7Q2')).not.toBe('');
  });

  it('documents both authentication forms of the rotation, each with its own body', () => {
    const rotate = contract.at('/paths/~1api~1v2~1service-token~1rotate/post');
    expect(rotate.security).toEqual([{ adminJwt: [] }, { serviceToken: [] }]);
    const body = '/paths/~1api~1v2~1service-token~1rotate/post/requestBody/content/application~1json/schema';
    const token = '0e8a7f1c-1234-4abc-8def-0123456789ab';
    expect(contract.validate(body, { token, expireAt: 0 })).toBe('');
    expect(contract.validate(body, { expireAt: '300' })).toBe('');
    expect(contract.validate(body, { token })).not.toBe('');
    expect(contract.validate(body, { expireAt: 0, extra: 1 })).not.toBe('');
  });
});

// The refusals of lib/service-token/published.ts while the stage publishes the token.
const MANAGED = [
  new errors.ServiceTokenManaged('The service token is published in Secrets Manager and rotated there: rotate the secret instead'),
  new errors.ServiceTokenManaged('The current service token is published in Secrets Manager: rotate the secret, then revoke this token'),
];

describe('openapi.yaml against the code', () => {
  // One instance of every error the functions can answer, as lib/errors.ts builds them.
  const samples: errors.ApiError[] = [
    new errors.InvalidRequestBody('"token" is required'),
    new errors.UnsupportedMediaType(),
    new errors.PayloadTooLarge(MAX_BODY_BYTES),
    new errors.NotSelfHosted(),
    new errors.AuthenticationError(),
    new errors.AccountAlreadyExists(),
    new errors.InvalidCredentials(),
    new errors.TooManyAttempts(840),
    new errors.TooManyAttempts(840, errors.TooManyAttempts.RESET_PASSWORD),
    new errors.AccountNotFound(),
    new errors.InternalServerError(),
    new errors.InvalidServiceToken(401),
    new errors.InvalidServiceToken(400),
    new errors.ExpiredServiceToken(),
    new errors.ServiceTokenNotFound(),
    ...MANAGED,
    new errors.ResetPasswordError('The current password is not correct!'),
    new errors.ResetPasswordError('The new password must be different from the current password'),
    new errors.SetupCodeRequired(),
    new errors.ClaimByInvocationOnly(),
    // recoverAdminAccess's own: no route reaches that function, so no operation documents it.
    new errors.RecoveryByInvocationOnly(),
  ];

  it('knows every error class of lib/errors.ts', () => {
    const classes = Object.values(errors).filter((value) => typeof value === 'function' && value !== errors.ApiError);
    const sampled = new Set(samples.map((sample) => sample.constructor));
    expect(classes.filter((c) => !sampled.has(c as never)).map((c) => (c as { name: string }).name)).toEqual([]);
  });

  it('lists exactly the error codes of lib/errors.ts, and each one\'s fixed message', () => {
    expect([...contract.at('/components/schemas/ErrorDetail/properties/code/enum')].sort())
      .toEqual([...new Set(samples.map((e) => e.code))].sort());
    for (const error of samples) {
      expect([error.code, contract.validate('/components/schemas/ErrorEnvelope', JSON.parse(errorResult(error).body))]).toEqual([error.code, '']);
    }
    expect(contract.validate('/components/schemas/ErrorEnvelope', { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong password' } })).not.toBe('');
  });

  // What each function can answer besides 200, read from its code (handlers/, lib/http/).
  const body = [new errors.InvalidRequestBody('"x" is not allowed'), new errors.UnsupportedMediaType(), new errors.PayloadTooLarge(MAX_BODY_BYTES)];
  const server = [new errors.NotSelfHosted(), new errors.InternalServerError()];
  const admin = [new errors.AuthenticationError(), new errors.AccountNotFound()];
  const answers: Record<string, errors.ApiError[]> = {
    createAdminAccount: [...body, new errors.AccountAlreadyExists(), new errors.SetupCodeRequired(), new errors.ClaimByInvocationOnly(), ...server],
    createAdminJwt: [...body, new errors.InvalidCredentials(), new errors.TooManyAttempts(1), ...server],
    createServiceToken: [...body, ...admin, MANAGED[0]!, ...server],
    rotateServiceToken: [...body, ...admin, new errors.InvalidServiceToken(401), new errors.InvalidServiceToken(400), new errors.ExpiredServiceToken(), MANAGED[0]!, ...server],
    resetAdminPassword: [
      ...body, ...admin, ...samples.filter((e) => e instanceof errors.ResetPasswordError),
      new errors.TooManyAttempts(1, errors.TooManyAttempts.RESET_PASSWORD), ...server,
    ],
    getServiceToken: [new errors.InvalidServiceToken(401), ...server],
    listServiceTokens: [...body, ...admin, ...server],
    revokeServiceToken: [...body, ...admin, new errors.InvalidServiceToken(401), new errors.ExpiredServiceToken(), new errors.ServiceTokenNotFound(), MANAGED[1]!, ...server],
  };

  /** The codes a documented response narrows `error.code` to (its own schema, references not followed). */
  const documentedCodes = (node: unknown): string[] => {
    if (node === null || typeof node !== 'object') return [];
    const record = node as Record<string, any>;
    const own = Array.isArray(record.code?.enum) ? (record.code.enum as string[]) : [];
    return [...own, ...Object.values(record).flatMap(documentedCodes)];
  };

  it('documents every error each function can answer, with its status, headers and body, and no other', () => {
    const failures: string[] = [];
    for (const { operationId, pointer } of contract.operations()) {
      const possible = answers[operationId];
      if (!possible) {
        failures.push(`${operationId}: not in this test's table`);
        continue;
      }
      for (const error of possible) {
        const problems = contract.check({ via: 'direct', operationId, payload: {}, invokeStatus: 200, result: errorResult(error) });
        if (problems.length > 0) failures.push(...problems);
      }
      for (const status of Object.keys(contract.at(`${pointer}/responses`))) {
        const { value } = contract.resolve(`${pointer}/responses/${status}`);
        for (const code of documentedCodes(value.content)) {
          if (!possible.some((e) => e.code === code && String(e.status) === status)) failures.push(`${operationId} ${status}: documents ${code}, which it never answers`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  /*
   * The request schemas say what Joi (the bodies.ts files) accepts. Each body below is judged by both;
   * they must agree. Where the document cannot say what the server checks (a consumer domain from
   * configuration, Joi's top-level-domain list, trimming before the length checks), or says less
   * than Joi tolerates ("3e2" for expireAt), the body is not in this list: the schema's
   * description says it.
   */
  const token = '0e8a7f1c-1234-4abc-8def-0123456789ab';
  const password = 'Str0ng!Passw0rd';
  const signUp = { firstName: 'Ada', email: 'ada@acme-corp.com', password, companyName: 'Acme' };
  const corpus: [string, string, Joi.ObjectSchema, unknown[]][] = [
    ['SignUpRequest', '/components/schemas/SignUpRequest', signUpSchema(['gmail.com']), [
      signUp, {}, { ...signUp, extra: true }, { ...signUp, firstName: 'Al' }, { ...signUp, firstName: 'A'.repeat(30) },
      { ...signUp, firstName: 'A'.repeat(31) }, { ...signUp, firstName: '     ' }, { ...signUp, firstName: 3 }, { ...signUp, companyName: '   ' }, { ...signUp, email: 'not-an-email' },
      { ...signUp, email: 'ada@localhost' }, { ...signUp, email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com` },
      { ...signUp, email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` },
      { ...signUp, companyName: '' }, { ...signUp, companyName: 'C'.repeat(100) }, { ...signUp, companyName: 'C'.repeat(101) },
      ...['Sh0rt!', `Aa1!${'a'.repeat(124)}`, `Aa1!${'a'.repeat(125)}`, 'str0ng!passw0rd', 'STR0NG!PASSW0RD', 'Strong!Password',
        'Str0ngPassw0rd', 'Str0ng! Passw0rd', 'Str0ng!\tPassw0rd', 'Str0ng_Passw0rd', 'Str0ng€Passw0rd'].map((p) => ({ ...signUp, password: p })),
    ]],
    ['SignInRequest', '/components/schemas/SignInRequest', signInSchema(), [
      { email: 'ada@acme-corp.com', password }, { email: 'x', password: 'y' }, { email: '', password }, { email: '   ', password },
      { email: 'x', password: '' }, { email: 'x', password: '   ' },
      { email: 'x' }, { email: 'x', password: 'p'.repeat(128) }, { email: 'x', password: 'p'.repeat(129) }, { email: 'x', password, more: 1 },
    ]],
    ['CreateServiceTokenRequest', '/components/schemas/CreateServiceTokenRequest', createServiceTokenSchema(), [
      { token }, { token: token.toUpperCase() }, { token: `{${token}}` }, { token: `(${token})` }, { token: `[${token}]` },
      { token: token.replaceAll('-', '') }, { token: token.replaceAll('-', ':') }, { token: '0e8a7f1c-12344abc-8def0123456789ab' },
      { token: `{${token})` }, { token: `{${token}` }, { token: `${token}}` }, { token: token.replace('-', ':') },
      { token: '00000000-0000-0000-0000-000000000000' }, { token: '0e8a7f1c-1234-1abc-8def-0123456789ab' },
      { token: '0e8a7f1c-1234-7abc-8def-0123456789ab' }, { token: '0e8a7f1c-1234-4abc-cdef-0123456789ab' }, { token: `${token}0` },
      { token: ` ${token}` }, { token: 'zz8a7f1c-1234-4abc-8def-0123456789ab' }, { token: 42 }, {}, { token, extra: 1 },
    ]],
    ['RotateWithAdminJwtRequest', '/components/schemas/RotateWithAdminJwtRequest', rotateWithAdminSchema(), [
      { token, expireAt: 0 }, { token, expireAt: '0' }, { token }, { expireAt: 0 }, { token: 'nope', expireAt: 0 },
    ]],
    ['RotateWithServiceTokenRequest', '/components/schemas/RotateWithServiceTokenRequest', rotateWithTokenSchema(), [
      ...[0, 1, 300, 604_800, 604_801, -1, 1.5, '0', '300', '0300', '604800', '604801', '600000', '99999', '605000', '-1', '1.5', '', 'abc',
        '0x10', null, true, [], {}].map((expireAt) => ({ expireAt })),
      {}, { expireAt: 0, token },
    ]],
    ['RevokeByIdRequest', '/components/schemas/RevokeByIdRequest', revokeWithAdminSchema(), [
      { id: 'st_a2c4e6g7j3l5n7q2' }, { id: 'anything' }, { id: '' }, { id: 'x'.repeat(100) }, { id: 'x'.repeat(101) }, { id: 7 }, { id: null },
      {}, { id: 'st_a2c4e6g7j3l5n7q2', token }, { token },
    ]],
    ['EmptyRequest', '/components/schemas/EmptyRequest', emptyBodySchema(), [{}, { id: 'st_a2c4e6g7j3l5n7q2' }, { expireAt: 0 }]],
    ['ResetPasswordRequest', '/components/schemas/ResetPasswordRequest', resetPasswordSchema(), [
      { currentPassword: 'anything', password }, { currentPassword: '', password }, { currentPassword: 'x'.repeat(129), password },
      { currentPassword: 'x', password: 'weak' }, { password }, { currentPassword: 'x', password, extra: 1 },
    ]],
  ];

  it.each(corpus)('%s accepts exactly what Joi accepts', (_name, pointer, schema, bodies) => {
    const disagreements = bodies.flatMap((body) => {
      const joi = schema.validate(body, { abortEarly: true, convert: true, allowUnknown: false }).error === undefined;
      const documented = contract.validate(pointer, body) === '';
      return joi === documented ? [] : [`${JSON.stringify(body)}: Joi ${joi ? 'accepts' : 'refuses'}, the document ${documented ? 'accepts' : 'refuses'}`];
    });
    expect(disagreements).toEqual([]);
  });
});

describe('the answer checker the end-to-end suite runs', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
  const ok: HttpExchange = {
    via: 'http',
    method: 'POST',
    path: '/api/v2/admin-account/jwt',
    request: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@acme-corp.com', password: 'Str0ng!Passw0rd' }) },
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ data: { accessToken: jwt } }),
  };
  const locked: HttpExchange = {
    ...ok,
    status: 429,
    headers: { ...ok.headers, 'retry-after': '840' },
    body: JSON.stringify({ error: { code: 'TOO_MANY_ATTEMPTS', message: 'Too many failed sign-in attempts, try again later' } }),
  };

  it('passes answers that match the document', () => {
    expect(contract.check(ok)).toEqual([]);
    expect(contract.check(locked)).toEqual([]);
    expect(contract.check({ ...ok, method: 'GET', path: '/api/v2/service-token', request: { headers: {} }, status: 403, headers: { 'content-type': 'application/json' }, body: '{"message":"Forbidden"}' })).toEqual([]);
  });

  it.each<[string, Partial<HttpExchange>, string]>([
    ['an unknown path', { path: '/api/v2/nope' }, 'no such operation'],
    ['an unknown method', { method: 'PUT' }, 'no such operation'],
    ['an undocumented status', { status: 404 }, 'status 404 is not documented'],
    ['a missing Cache-Control', { headers: { 'content-type': 'application/json' } }, 'required header Cache-Control is missing'],
    ['a wrong Cache-Control', { headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' } }, 'header Cache-Control'],
    ['another media type', { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } }, 'Content-Type "text/plain" is not documented'],
    ['no Content-Type', { headers: { 'cache-control': 'no-store' } }, 'Content-Type null is not documented'],
    ['a body that is not JSON', { body: 'oops' }, 'the body is not JSON'],
    ['a missing property', { body: '{"data":{}}' }, "must have required property 'accessToken'"],
    ['an extra property', { body: JSON.stringify({ data: { accessToken: jwt }, extra: 1 }) }, 'must NOT have additional properties'],
    ['a code the status cannot carry', { status: 400, body: '{"error":{"code":"EXPIRED_SERVICE_TOKEN","message":"Service token is already expired"}}' }, 'must be equal to one of the allowed values'],
    ['a wrong fixed message', { status: 400, body: '{"error":{"code":"INVALID_CREDENTIALS","message":"Wrong password"}}' }, 'must be equal to constant'],
    ['an accepted request the document refuses', { request: { headers: {}, body: '{"email":"ada@acme-corp.com"}' } }, 'documented request schema refuses it'],
  ])('reports %s', (_what, change, expected) => {
    const problems = contract.check({ ...ok, ...change });
    expect(problems.join('\n')).toContain(expected);
  });

  it("accepts API Gateway's 500 for a function that failed on any operation, as the document's x-api-gateway-answers says", () => {
    const failed = { ...ok, status: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' };
    expect(contract.check(failed)).toEqual([]);
    expect(contract.check({ ...failed, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' } }).join())
      .toContain("API Gateway's answer with Cache-Control no-cache");
    expect(contract.check({ ...failed, body: '{"message":"Forbidden"}' }).join()).toContain('does not match the schema');
  });

  it("reports serverless-offline's own wording of an authorizer denial (hapi's Boom body)", () => {
    const boom = '{"statusCode":403,"error":"Forbidden","message":"User is not authorized to access this resource"}';
    const denied = { ...ok, method: 'GET', path: '/api/v2/service-token', request: { headers: {} }, status: 403, headers: { 'content-type': 'application/json' }, body: boom };
    expect(contract.check(denied).join()).toContain('does not match the schema');
  });

  it('reports a 429 without Retry-After, or with a value that is not a number of seconds', () => {
    expect(contract.check({ ...locked, headers: ok.headers }).join()).toContain('required header Retry-After is missing');
    expect(contract.check({ ...locked, headers: { ...ok.headers, 'retry-after': 'soon' } }).join()).toContain('header Retry-After');
  });

  it('reports a 401 without its Bearer challenge', () => {
    const unauthorized: HttpExchange = {
      ...ok, path: '/api/v2/service-token', status: 401,
      body: '{"error":{"code":"AUTHENTICATION_ERROR","message":"Invalid or missing credentials"}}',
    };
    expect(contract.check({ ...unauthorized, headers: { ...ok.headers, 'www-authenticate': 'Bearer' } })).toEqual([]);
    expect(contract.check(unauthorized).join()).toContain('required header WWW-Authenticate is missing');
  });

  it('checks direct invocations: the result shape, then the answer as over HTTP', () => {
    const direct: DirectExchange = {
      via: 'direct', operationId: 'createServiceToken', payload: { headers: {}, body: { token: '0e8a7f1c-1234-4abc-8def-0123456789ab' } }, invokeStatus: 200,
      result: { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: '{"key":"0e8a7f1c-1234-4abc-8def-0123456789ab"}' },
    };
    expect(contract.check(direct)).toEqual([]);
    expect(contract.check({ ...direct, operationId: 'nope' }).join()).toContain('no operation with this operationId');
    expect(contract.check({ ...direct, invokeStatus: 500 }).join()).toContain('the invoke endpoint answered 500');
    expect(contract.check({ ...direct, result: { errorMessage: 'boom' } }).join()).toContain('does not match DirectInvocationResult');
    expect(contract.check({ ...direct, result: { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' } }).join()).toContain('DirectInvocationResult');
    expect(contract.check({ ...direct, result: { ...(direct.result as object), body: '{"key":"not-a-uuid"}' } }).join()).toContain('must match pattern');
  });
});
