import type { ApiError } from '../errors.ts';

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Every response is JSON and `no-store`: each one either carries a credential or answers a
 * credential check, and none is worth a shared cache keeping.
 */
export function json(statusCode: number, payload: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(payload),
  };
}

export function errorResult(error: ApiError): HttpResult {
  return json(error.status, { error: { code: error.code, message: error.message } }, error.headers);
}
