// The API over HTTPS (API Gateway), or plain HTTP to this machine (npm start).
import { parseBody, transportError, usageError, type Transport } from './api.ts';

const TIMEOUT_MS = 30_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A transport to the API at `base` (the stack's HttpApiUrl, or http://localhost:3000). */
export function httpTransport(base: string): Transport {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw usageError(`--url: not a URL: ${base}`);
  }
  // Credentials travel in every request: never in clear text across a network.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw usageError(`--url must be https:// (plain http only to localhost), got ${url.protocol}//${url.host}`);
  }
  const prefix = url.href.replace(/\/+$/, '');

  return async ({ method, path, bearer, body }) => {
    const headers: Record<string, string> = {};
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${prefix}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect would be a misconfigured URL; not followed with the credential.
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { status: response.status, body: parseBody(await response.text()) };
    } catch (error) {
      throw transportError(`no answer from ${url.origin}: ${describe(error)}`);
    }
  };
}

/** fetch's errors say "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is the cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${error.message} (${reason})` : error.message;
}
