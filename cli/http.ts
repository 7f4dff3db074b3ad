// The API over HTTPS (API Gateway), or plain HTTP to this machine (npm start).
import { parseBody, transportError, type Transport } from './api.ts';
import { credentialUrl, redact } from './endpoints.ts';
import { USER_AGENT } from './version.ts';

const TIMEOUT_MS = 30_000;

export interface HttpTarget {
  readonly transport: Transport;
  /** Where, for messages: the base URL without credentials, query or fragment. */
  readonly where: string;
}

/** A transport to the API at `base` (the stack's HttpApiUrl, or http://localhost:3000). */
export function httpTransport(base: string): HttpTarget {
  const url = credentialUrl(base, '--url');
  const prefix = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const where = redact(url);

  const transport: Transport = async ({ method, path, bearer, headers: extra, body }) => {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...extra };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer.value}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${prefix}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect would be a misconfigured URL; not followed with the credential.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw transportError(`no answer from ${where}: ${describe(error)}`);
    }
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      answerHeaders[name.toLowerCase()] = value;
    });
    return { status: response.status, headers: answerHeaders, body: parseBody(text) };
  };
  return { transport, where };
}

/** fetch's errors say "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is the cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${error.message} (${reason})` : error.message;
}
