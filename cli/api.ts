// What every command shares: one call to one route (or the function behind it), its answer, and
// the exit statuses a pipeline can tell apart.

/** Exit statuses (documented in docs/pipelines.md). */
export const EXIT = {
  ok: 0,
  /** The API answered, and refused (any non-2xx in its own shape): its code and message are on stderr. */
  api: 1,
  /** The command line or the environment is wrong: unknown option, missing input, a secret in argv. */
  usage: 2,
  /**
   * Nothing that looks like this API answered: network, DNS, TLS, timeout, the Lambda invoke or an
   * AWS call failed, a wrong URL (a 404, an answer in another shape).
   */
  transport: 3,
} as const;

export type ExitCode = 1 | 2 | 3;

/** What an error says beyond its message, for `--json` and for the tests. */
export interface ErrorDetail {
  /** The API's error code (`AUTHENTICATION_ERROR`, …), when the API answered. */
  readonly code?: string;
  /** The HTTP status (or the direct invocation's statusCode), when there was an answer. */
  readonly status?: number;
  /** Seconds, from the answer's Retry-After header (a 429). */
  readonly retryAfter?: number;
}

/** A failure the CLI reports on stderr (`databrain-admin: <message>`) and exits with. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly detail: ErrorDetail;
  constructor(message: string, exitCode: ExitCode, detail: ErrorDetail = {}) {
    super(message);
    this.exitCode = exitCode;
    this.detail = detail;
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const transportError = (message: string, detail: ErrorDetail = {}) => new CliError(message, EXIT.transport, detail);

/** The Lambda functions behind the routes (serverless.yml), for direct invocation. */
export type FunctionKey =
  | 'createAdminAccount'
  | 'createAdminJwt'
  | 'recoverAdminAccess'
  | 'createServiceToken'
  | 'rotateServiceToken'
  | 'revokeServiceToken'
  | 'listServiceTokens'
  | 'getServiceToken';

/** Which credential a call carries, so that a refusal of it can say so in one clear sentence. */
export interface CredentialUse {
  readonly kind: 'admin JWT' | 'service token';
  /** Where it came from, for the message: `DATABRAIN_ADMIN_JWT or --jwt-stdin`. */
  readonly from: string;
  readonly value: string;
}

/** One request: the route over HTTP, the function by direct invocation, the same credential and body. */
export interface ApiCall {
  function: FunctionKey;
  method: 'GET' | 'POST';
  path: string;
  bearer?: CredentialUse;
  /** A service token named in the body (rotation form a), so that its refusal can name it too. */
  named?: CredentialUse;
  /** Other request headers (names in lower case), e.g. the setup code of a claim. */
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}

/** The answer: its status, headers (names in lower case) and body (parsed JSON, or the raw text). */
export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type Transport = (call: ApiCall) => Promise<ApiAnswer>;

export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of a 2xx body that must be there; a missing one is an unexpected answer, never printed as "undefined". */
export function field<T>(body: Record<string, unknown>, path: string, check: (value: unknown) => value is T): T {
  let value: unknown = body;
  for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
  if (!check(value)) throw transportError(`unexpected answer: no valid ${path} in it`);
  return value;
}
