import { TextDecoder } from 'node:util';
import { InvalidRequestBody, PayloadTooLarge, UnsupportedMediaType } from '../errors.ts';

/**
 * One request shape for the three ways a function is called: API Gateway HTTP API (payload 2.0),
 * API Gateway REST API (payload 1.0), and direct invocation (`aws lambda invoke`) with
 * `{"headers": {...}, "body": <object or JSON string>}`.
 */
export interface ApiRequest {
  readonly source: 'http-api' | 'rest-api' | 'direct';
  /** Header names lower-cased: HTTP header names are case-insensitive. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly isBase64Encoded: boolean;
  /**
   * The caller's address as the event states it: API Gateway's for a real HTTP request, whatever the
   * caller wrote for a direct invocation imitating one, DIRECT_INVOCATION_ADDRESS otherwise.
   */
  readonly sourceIp: string;
  /** The caller's User-Agent as API Gateway saw it; direct invocations have none. */
  readonly userAgent: string | undefined;
  /** API Gateway's request id, when there is one (the Lambda request id is in every log line). */
  readonly gatewayRequestId: string | undefined;
}

export const MAX_BODY_BYTES = 16 * 1024;
/**
 * The client address given to a direct invocation that does not imitate an API Gateway event: such
 * invocations share one per-address lock-out bucket per email. That is no bound on a direct caller,
 * who can equally send an imitation of an API Gateway event with any `sourceIp` it likes (a fresh
 * bucket per attempt, or someone else's): the per-email ceiling (lib/admin/attempts.store.ts) is what
 * bounds sign-in attempts whatever the event claims.
 */
export const DIRECT_INVOCATION_ADDRESS = 'direct-invocation';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function lowerCaseHeaders(raw: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isRecord(raw)) return headers;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}

export function normalizeEvent(event: unknown): ApiRequest {
  const e = isRecord(event) ? event : {};
  const context = isRecord(e.requestContext) ? e.requestContext : undefined;
  const common = {
    headers: lowerCaseHeaders(e.headers),
    body: e.body,
    isBase64Encoded: e.isBase64Encoded === true,
  };
  if (context && e.version === '2.0') {
    const http = isRecord(context.http) ? context.http : {};
    return {
      ...common,
      source: 'http-api',
      sourceIp: str(http.sourceIp) ?? 'unknown',
      userAgent: str(http.userAgent),
      gatewayRequestId: str(context.requestId),
    };
  }
  if (context && typeof e.httpMethod === 'string') {
    const identity = isRecord(context.identity) ? context.identity : {};
    return {
      ...common,
      source: 'rest-api',
      sourceIp: str(identity.sourceIp) ?? 'unknown',
      userAgent: str(identity.userAgent),
      gatewayRequestId: str(context.requestId),
    };
  }
  return { ...common, source: 'direct', sourceIp: DIRECT_INVOCATION_ADDRESS, userAgent: undefined, gatewayRequestId: undefined };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: ApiRequest): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as a JSON object, after the checks of CONTRACT.md's common rules, in order:
 * media type (415), size before any parsing (413), then JSON syntax and shape (400).
 * No body at all reads as `{}`, so that validation names the missing fields.
 */
export function jsonBody(request: ApiRequest): Json {
  const { body, headers } = request;
  const contentType = headers['content-type'];
  const hasBody = body !== undefined && body !== null && body !== '';
  if (!hasBody) return {};

  // A direct invocation may pass the body as an object and need not name a media type.
  const typeRequired = request.source !== 'direct';
  if ((typeRequired || contentType !== undefined) && !JSON_MEDIA_TYPE.test(contentType ?? '')) {
    throw new UnsupportedMediaType();
  }
  if (isRecord(body) && request.source === 'direct') {
    if (Buffer.byteLength(JSON.stringify(body), 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
    return body;
  }
  if (typeof body !== 'string') throw new InvalidRequestBody('Request body must be a JSON object');

  let bytes: Buffer;
  if (request.isBase64Encoded) {
    // Bound the work before decoding: base64 of N bytes is 4 * ceil(N / 3) characters.
    if (body.length > 4 * Math.ceil(MAX_BODY_BYTES / 3) + 4) throw new PayloadTooLarge(MAX_BODY_BYTES);
    bytes = Buffer.from(body, 'base64');
  } else {
    bytes = Buffer.from(body, 'utf8');
  }
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);

  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new InvalidRequestBody('Request body must be valid JSON');
  }
  if (!isRecord(parsed)) throw new InvalidRequestBody('Request body must be a JSON object');
  return parsed;
}
