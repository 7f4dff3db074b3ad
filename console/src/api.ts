/*
 * The console's only way to the API: fetch on this origin, the admin JWT as Bearer. The JWT is a
 * value in page memory handed in by the caller; nothing here stores it, logs it or puts it in a URL.
 */

/** A refusal, with the API's own code and message (or API Gateway's `{"message"}`). */
export class ApiRefusal extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds from Retry-After (429 TOO_MANY_ATTEMPTS), when the API sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface CallOptions {
  readonly jwt?: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Seconds of a Retry-After header (a number of seconds, or an HTTP date). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The refusal an answer carries: `{"error":{code,message}}` from the functions, `{"message"}` from API Gateway. */
export function refusalOf(status: number, payload: unknown, retryAfter: string | null): ApiRefusal {
  const wait = retryAfterSeconds(retryAfter);
  if (isRecord(payload) && isRecord(payload.error) && typeof payload.error.message === 'string') {
    return new ApiRefusal(status, String(payload.error.code ?? 'ERROR'), payload.error.message, wait);
  }
  if (isRecord(payload) && typeof payload.message === 'string') return new ApiRefusal(status, 'GATEWAY', payload.message, wait);
  return new ApiRefusal(status, 'UNEXPECTED_ANSWER', `The API answered ${status} without an explanation.`, wait);
}

/** `method path` on this origin; resolves with the JSON answer, rejects with an ApiRefusal. */
export async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.jwt !== undefined) headers.Authorization = `Bearer ${options.jwt}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
  let response: Response;
  try {
    response = await fetch(`${path}${query}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Nothing to keep or to share: credentials travel in the Authorization header only.
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiRefusal(0, 'NETWORK_ERROR', 'The API could not be reached. Check the connection and try again.');
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  if (!response.ok) throw refusalOf(response.status, payload, response.headers.get('Retry-After'));
  return payload as T;
}
