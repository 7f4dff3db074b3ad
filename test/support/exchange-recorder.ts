import type { DirectExchange, Exchange, HttpExchange } from './openapi-contract.ts';

/*
 * Records every request a suite sends to the API, and its answer, for OpenAPI validation at the
 * end. The suite reads responses as usual: the recorder reads a clone.
 */

const headersOf = (init: RequestInit['headers']): Record<string, string> =>
  Object.fromEntries([...new Headers(init).entries()]);

export class ExchangeRecorder {
  readonly exchanges: Exchange[] = [];

  /** `fetch`, recording the exchange. `url` is the API's own URL (method and path are taken from it). */
  readonly fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, init);
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      throw new Error('ExchangeRecorder records string bodies only');
    }
    this.exchanges.push({
      via: 'http',
      method: (init.method ?? 'GET').toUpperCase(),
      path: new URL(url).pathname,
      request: { headers: headersOf(init.headers), ...(typeof init.body === 'string' ? { body: init.body } : {}) },
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()), // Headers yields lower-cased names
      body: await response.clone().text(),
    } satisfies HttpExchange);
    return response;
  };

  /** A direct invocation through the Lambda invoke endpoint (`url`) of function `operationId`, recorded. */
  readonly invoke = async (url: string, operationId: string, payload: unknown): Promise<Response> => {
    const response = await fetch(url, { method: 'POST', body: JSON.stringify(payload) });
    const text = await response.clone().text();
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch {
      result = text;
    }
    this.exchanges.push({ via: 'direct', operationId, payload, invokeStatus: response.status, result } satisfies DirectExchange);
    return response;
  };
}

/** Routes behind the service-token Lambda authorizer (serverless.yml: `authorizer: serviceToken`). */
const AUTHORIZER_ROUTES = new Set(['GET /api/v2/service-token']);
const BOOM_ERRORS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden' };

/**
 * serverless-offline emulates an authorizer's denial with hapi's Boom error body,
 * `{"statusCode":403,"error":"Forbidden","message":"User is not authorized to access this resource"}`,
 * and hapi's `cache-control: no-cache`, where API Gateway answers `{"message":"Forbidden"}` (and
 * `{"message":"Unauthorized"}` without an Authorization header) with no Cache-Control: the
 * emulator's wording, not ours. Exactly that case, and nothing else, is rewritten to API Gateway's
 * answer, so that the status, media type and everything our functions send are still checked
 * against the document. Returns the exchange unchanged otherwise.
 */
export function asApiGatewayAnswer(exchange: Exchange): Exchange {
  if (exchange.via !== 'http' || !AUTHORIZER_ROUTES.has(`${exchange.method} ${exchange.path}`)) return exchange;
  const error = BOOM_ERRORS[exchange.status];
  if (error === undefined) return exchange;
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return exchange;
  }
  const boom = body as Record<string, unknown> | null;
  const isBoom = boom !== null && typeof boom === 'object' && Object.keys(boom).sort().join() === 'error,message,statusCode'
    && boom.statusCode === exchange.status && boom.error === error && typeof boom.message === 'string';
  if (!isBoom) return exchange;
  const { 'cache-control': hapiDefault, ...headers } = exchange.headers;
  return {
    ...exchange,
    headers: hapiDefault === 'no-cache' ? headers : exchange.headers,
    body: JSON.stringify({ message: error }),
  };
}
