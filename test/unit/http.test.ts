import { bearerToken, DIRECT_INVOCATION_ADDRESS, jsonBody, MAX_BODY_BYTES, normalizeEvent } from '../../lib/http/request.ts';
import { ApiError } from '../../lib/errors.ts';

const httpApi = (over: Record<string, unknown> = {}) => ({
  version: '2.0',
  headers: { 'content-type': 'application/json' },
  requestContext: { requestId: 'gw-1', http: { method: 'POST', sourceIp: '198.51.100.7', userAgent: 'curl/8.5.0' } },
  body: '{"a":1}',
  isBase64Encoded: false,
  ...over,
});

function errorOf(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const { status, code, message } = error as ApiError;
    return { status, code, message };
  }
  throw new Error('expected an ApiError');
}

describe('event normalisation', () => {
  it('reads an HTTP API 2.0 event', () => {
    expect(normalizeEvent(httpApi())).toEqual({
      source: 'http-api',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      isBase64Encoded: false,
      sourceIp: '198.51.100.7',
      userAgent: 'curl/8.5.0',
      gatewayRequestId: 'gw-1',
    });
  });

  it('reads a REST API 1.0 event, whose headers may be null', () => {
    const request = normalizeEvent({
      httpMethod: 'POST',
      headers: null,
      requestContext: { requestId: 'gw-2', identity: { sourceIp: '192.0.2.1', userAgent: 'aws-cli/2' } },
      body: null,
      isBase64Encoded: false,
    });
    expect(request).toMatchObject({ source: 'rest-api', headers: {}, sourceIp: '192.0.2.1', userAgent: 'aws-cli/2', gatewayRequestId: 'gw-2' });
  });

  it('reads a direct invocation payload, with lower-cased header names', () => {
    const request = normalizeEvent({ headers: { Authorization: 'Bearer abc' }, body: { token: 'x' } });
    expect(request).toMatchObject({ source: 'direct', headers: { authorization: 'Bearer abc' }, body: { token: 'x' } });
    expect(request.sourceIp).toBe(DIRECT_INVOCATION_ADDRESS);
    // A User-Agent header in a direct payload is the caller's say-so, not what API Gateway saw.
    expect(normalizeEvent({ headers: { 'user-agent': 'x' } }).userAgent).toBeUndefined();
  });

  it('survives events that are not objects', () => {
    expect(normalizeEvent(null)).toMatchObject({ source: 'direct', headers: {}, body: undefined });
    expect(normalizeEvent('x')).toMatchObject({ source: 'direct', headers: {} });
  });
});

describe('bearer token', () => {
  const withAuth = (value: string) => normalizeEvent(httpApi({ headers: { authorization: value } }));
  it.each([
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
  ])('reads %j', (header, token) => expect(bearerToken(withAuth(header))).toBe(token));
  it.each(['Basic abc', 'Bearer', 'Bearer a b', 'abc', ''])('refuses %j', (header) =>
    expect(bearerToken(withAuth(header))).toBeUndefined());
});

describe('JSON body rules', () => {
  const body = (over: Record<string, unknown>) => jsonBody(normalizeEvent(httpApi(over)));

  it('parses a JSON object, with or without a charset', () => {
    expect(body({})).toEqual({ a: 1 });
    expect(body({ headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).toEqual({ a: 1 });
  });

  it('reads no body as an empty object, so validation names the missing fields', () => {
    expect(body({ body: undefined, headers: {} })).toEqual({});
    expect(body({ body: '', headers: {} })).toEqual({});
  });

  it('decodes a base64 body first', () => {
    expect(body({ body: Buffer.from('{"b":2}').toString('base64'), isBase64Encoded: true })).toEqual({ b: 2 });
  });

  it.each([
    [{ headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'],
    [{ headers: {} }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'],
    [{ headers: { 'content-type': 'application/jsonp' } }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'],
    [{ body: '{"a":' }, 400, 'INVALID_REQUEST_BODY', 'Request body must be valid JSON'],
    [{ body: '[1]' }, 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object'],
    [{ body: 'null' }, 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object'],
    [{ body: '"text"' }, 400, 'INVALID_REQUEST_BODY', 'Request body must be a JSON object'],
    [{ body: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), isBase64Encoded: true }, 400, 'INVALID_REQUEST_BODY', 'Request body must be valid JSON'],
    [{ body: `{"a":"${'x'.repeat(MAX_BODY_BYTES)}"}` }, 413, 'PAYLOAD_TOO_LARGE', 'Request body must not exceed 16384 bytes'],
    [{ body: Buffer.from(`{"a":"${'x'.repeat(MAX_BODY_BYTES)}"}`).toString('base64'), isBase64Encoded: true }, 413, 'PAYLOAD_TOO_LARGE', 'Request body must not exceed 16384 bytes'],
  ])('refuses %j', (over, status, code, message) => {
    expect(errorOf(() => body(over))).toEqual({ status, code, message });
  });

  it('counts bytes, not characters, against the 16 KiB limit', () => {
    const justUnder = `{"a":"${'é'.repeat((MAX_BODY_BYTES - 8) / 2)}"}`;
    expect(Buffer.byteLength(justUnder)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(body({ body: justUnder })).toHaveProperty('a');
    expect(errorOf(() => body({ body: justUnder.replace('"}', 'é"}') }))).toMatchObject({ status: 413 });
  });

  it('lets a direct invocation pass an object or a JSON string, with no media type', () => {
    expect(jsonBody(normalizeEvent({ body: { a: 1 } }))).toEqual({ a: 1 });
    expect(jsonBody(normalizeEvent({ body: '{"a":1}' }))).toEqual({ a: 1 });
    expect(errorOf(() => jsonBody(normalizeEvent({ body: { a: 'x'.repeat(MAX_BODY_BYTES) } })))).toMatchObject({ status: 413 });
    expect(errorOf(() => jsonBody(normalizeEvent({ body: [1] })))).toMatchObject({ status: 400 });
  });
});
