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
