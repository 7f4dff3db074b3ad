// What every subcommand shares: one call to one route (or the function behind it), its answer, and
// the exit statuses a pipeline can tell apart.

/** Exit statuses (documented in docs/pipelines.md). */
export const EXIT = {
  ok: 0,
  /** The API answered with an error (any non-2xx): its code and message are on stderr. */
  api: 1,
  /** The command line or the environment is wrong: unknown option, missing input, a secret in argv. */
  usage: 2,
  /** No usable answer: network, TLS, timeout, the Lambda invoke itself failed, or an unexpected answer. */
  transport: 3,
} as const;

/** A failure the CLI reports on stderr (`databrain-admin: <message>`) and exits with. */
export class CliError extends Error {
  readonly exitCode: 1 | 2 | 3;
  constructor(message: string, exitCode: 1 | 2 | 3) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const transportError = (message: string) => new CliError(message, EXIT.transport);

/** The Lambda functions behind the routes (serverless.yml), for direct invocation. */
export type FunctionKey =
  | 'createAdminJwt'
  | 'createServiceToken'
  | 'rotateServiceToken'
  | 'revokeServiceToken'
  | 'listServiceTokens'
  | 'getServiceToken';

/** One request: the route over HTTP, the function by direct invocation, the same credential and body. */
export interface ApiCall {
  function: FunctionKey;
  method: 'GET' | 'POST';
  path: string;
  bearer?: string;
  body?: Record<string, unknown>;
}

/** The API's answer: its status and its body (parsed JSON, or the raw text when it is not JSON). */
export interface ApiAnswer {
  status: number;
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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The body of a 2xx answer; anything else becomes an error naming the API's code and message:
 * `{"error":{"code","message"}}` from our functions, `{"message"}` from API Gateway itself (an
 * authorizer's denial, a crashed function).
 */
export function successBody(answer: ApiAnswer): Record<string, unknown> {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    if (isObject(body)) return body;
    throw transportError(`unexpected answer (HTTP ${status}): not a JSON object`);
  }
  if (isObject(body) && isObject(body.error) && typeof body.error.code === 'string') {
    throw new CliError(`${body.error.code}: ${String(body.error.message)}`, EXIT.api);
  }
  if (isObject(body) && typeof body.message === 'string') {
    throw new CliError(`HTTP ${status}: ${body.message}`, EXIT.api);
  }
  throw new CliError(`HTTP ${status}`, EXIT.api);
}

/** A field of a 2xx body that must be there; a missing one is an unexpected answer, never printed as "undefined". */
export function field<T>(body: Record<string, unknown>, path: string, check: (value: unknown) => value is T): T {
  let value: unknown = body;
  for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
  if (!check(value)) throw transportError(`unexpected answer: no valid ${path} in it`);
  return value;
}
