// From an answer to the body a command reads, or to the one error a pipeline sees: the API's
// refusal (exit 1), said in one sentence where it is about the credential the call carried, or
// "nothing that looks like this API answered" (exit 3).
import { CliError, EXIT, isObject, transportError, type ApiAnswer, type ApiCall, type CredentialUse, type ErrorDetail } from './api.ts';

/**
 * The statuses at which API Gateway answers by itself, with a `{"message"}` body, in front of this
 * API: the authorizer's 401/403, throttling (429), a function that crashed, timed out or could not
 * be reached (500, 502, 503, 504). Not 404: every route this command line calls exists, so a 404
 * means the URL is not this API's.
 */
const GATEWAY_STATUSES = new Set([401, 403, 429, 500, 502, 503, 504]);

/** The body of a 2xx answer; anything else becomes the CliError that says what happened. */
export function successBody(answer: ApiAnswer, call: ApiCall, where: string): Record<string, unknown> {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    if (isObject(body)) return body;
    throw notThisApi(answer, where);
  }
  const retryAfter = retryAfterOf(answer);
  const detail: ErrorDetail = { status, ...(retryAfter !== undefined && { retryAfter }) };
  const wait = retryAfter === undefined ? '' : ` (retry after ${retryAfter} s)`;
  const envelope = ourError(body);
  if (envelope) {
    const about = credentialRefusal(call, status, envelope.code);
    throw new CliError(about ?? `${envelope.code}: ${envelope.message}${wait}`, EXIT.api, { ...detail, code: envelope.code });
  }
  if (isObject(body) && typeof body.message === 'string' && Object.keys(body).length === 1 && GATEWAY_STATUSES.has(status)) {
    const about = credentialRefusal(call, status, undefined);
    throw new CliError(about ?? `HTTP ${status}: ${body.message}${wait}`, EXIT.api, detail);
  }
  throw notThisApi(answer, where);
}

/** `{"error":{"code","message"}}`: the functions' own error envelope. */
function ourError(body: unknown): { code: string; message: string } | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const { code, message } = body.error;
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}

function notThisApi(answer: ApiAnswer, where: string): CliError {
  const type = answer.headers['content-type']?.split(';')[0]?.trim();
  const what = `HTTP ${answer.status}${type ? `, ${type}` : ''}`;
  return transportError(`nothing that looks like this API answered at ${where} (${what}): check the URL or stage`, { status: answer.status });
}

/** Retry-After in whole seconds, when the answer has one (a 429; an HTTP date is not sent by this API). */
function retryAfterOf(answer: ApiAnswer): number | undefined {
  const raw = answer.headers['retry-after'];
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/**
 * One sentence for a refused credential, whatever transport and route refused it: an admin JWT
 * that expired or was revoked, a service token that is dead or no longer current. Undefined when
 * the refusal is about something else.
 */
function credentialRefusal(call: ApiCall, status: number, code: string | undefined): string | undefined {
  const { bearer, named } = call;
  if (bearer?.kind === 'admin JWT' && (status === 401 || code === 'ACCOUNT_NOT_FOUND')) return jwtRefusal(bearer, code);
  const token = bearer?.kind === 'service token' ? bearer : named;
  if (token === undefined) return undefined;
  if (code === 'EXPIRED_SERVICE_TOKEN') {
    return `the service token (${token.from}) is no longer the current one (it is in its grace period, or past it): only the current token can do this`;
  }
  // Refused as a credential: our 401 (direct, or the route itself), the authorizer's 403 over
  // HTTP, or (rotation form a) the 400 for a named token the company does not have.
  const dead = (status === 401 && bearer === token) || (status === 403 && code === undefined && bearer === token)
    || (status === 400 && code === 'AUTHENTICATION_ERROR');
  return dead ? `the service token (${token.from}) is not valid: unknown, revoked, or past its grace period` : undefined;
}

function jwtRefusal(jwt: CredentialUse, code: string | undefined): string {
  const claims = payloadOf(jwt.value);
  if (claims === undefined) return `the admin JWT (${jwt.from}) is not a JWT`;
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (exp !== undefined && exp <= Date.now()) {
    return `the admin JWT (${jwt.from}) expired at ${new Date(exp).toISOString()}: sign in again (databrain-admin sign-in)`;
  }
  if (code === 'ACCOUNT_NOT_FOUND') return `the admin JWT (${jwt.from}) names a company this instance does not have: issued by another stage?`;
  return `the admin JWT (${jwt.from}) was refused: revoked by a password reset or recovery, or issued by another stage; sign in again (databrain-admin sign-in)`;
}

/** A compact JWT's payload, unverified (the API verifies); undefined when it is not one. */
export function payloadOf(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return isObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}
