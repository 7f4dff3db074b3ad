// The subcommands: what each reads, the one call it makes, and the one thing it prints on stdout.
import { randomUUID } from 'node:crypto';
import type { ParseArgsConfig } from 'node:util';
import { field, successBody, usageError, type ApiCall, type Transport } from './api.ts';
import { SECRETS, type SecretReader } from './inputs.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

export interface Context {
  values: Values;
  env: NodeJS.ProcessEnv;
  secrets: SecretReader;
  transport: Transport;
}

export interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** Reads its inputs, makes its call, and answers what goes to stdout (one line, or JSON). */
  run(context: Context): Promise<string>;
}

const stdinFlag = (secret: { stdinFlag: string }): Options => ({ [secret.stdinFlag]: { type: 'boolean' } });
const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isUuid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

async function call(transport: Transport, request: ApiCall): Promise<Record<string, unknown>> {
  return successBody(await transport(request));
}

export const COMMANDS: Record<string, Command> = {
  'sign-in': {
    summary: 'sign in; prints an admin JWT',
    usage: `sign-in --email <address> [--password-stdin]
  The email from --email or DATABRAIN_ADMIN_EMAIL; the password from ${SECRETS.password.env} or stdin.`,
    options: { email: { type: 'string' }, ...stdinFlag(SECRETS.password) },
    async run({ values, env, secrets, transport }) {
      const email = (values.email as string | undefined) ?? env.DATABRAIN_ADMIN_EMAIL;
      if (!email) throw usageError('needs the admin email: --email or DATABRAIN_ADMIN_EMAIL');
      const password = await secrets.required(SECRETS.password);
      const body = await call(transport, { function: 'createAdminJwt', method: 'POST', path: '/api/v2/admin-account/jwt', body: { email, password } });
      return field(body, 'data.accessToken', isString);
    },
  },

  create: {
    summary: 'create (or replace) the service token; prints it',
    usage: `create (--generate | --new-token-stdin) [--jwt-stdin]
  Every other token stops working at once. The admin JWT from ${SECRETS.jwt.env} or stdin; the new
  token from ${SECRETS.newToken.env}, stdin, or --generate (a random v4 UUID made here).`,
    options: { generate: { type: 'boolean' }, ...stdinFlag(SECRETS.jwt), ...stdinFlag(SECRETS.newToken) },
    async run({ values, secrets, transport }) {
      const given = await secrets.optional(SECRETS.newToken);
      if (values.generate && given !== undefined) {
        throw usageError(`--generate and a given token (${SECRETS.newToken.env} or --${SECRETS.newToken.stdinFlag}) exclude each other`);
      }
      const token = values.generate ? randomUUID() : given;
      if (token === undefined) {
        throw usageError(`needs the new token: --generate, ${SECRETS.newToken.env}, or pipe it into --${SECRETS.newToken.stdinFlag}`);
      }
      const jwt = await secrets.required(SECRETS.jwt);
      const body = await call(transport, { function: 'createServiceToken', method: 'POST', path: '/api/v2/service-token', bearer: jwt, body: { token } });
      return field(body, 'key', isUuid);
    },
  },

  rotate: {
    summary: 'rotate the current service token; prints the new one',
    usage: `rotate --grace <seconds> [--token-stdin | --jwt-stdin]
  The current token from ${SECRETS.token.env} or stdin. With an admin JWT (${SECRETS.jwt.env} or
  stdin) it authenticates (form a); without one, the current token does (form b). The old token
  keeps working for --grace seconds (0 … 604800; 0 ends it now).`,
    options: { grace: { type: 'string' }, ...stdinFlag(SECRETS.token), ...stdinFlag(SECRETS.jwt) },
    async run({ values, secrets, transport }) {
      const expireAt = graceSeconds(values.grace);
      const jwt = await secrets.optional(SECRETS.jwt);
      const token = await secrets.required(SECRETS.token);
      const request: ApiCall = jwt === undefined
        ? { function: 'rotateServiceToken', method: 'POST', path: '/api/v2/service-token/rotate', bearer: token, body: { expireAt } }
        : { function: 'rotateServiceToken', method: 'POST', path: '/api/v2/service-token/rotate', bearer: jwt, body: { token, expireAt } };
      return field(await call(transport, request), 'key', isUuid);
    },
  },

  revoke: {
    summary: 'revoke a token by id, or end every grace window; prints the revoked ids',
    usage: `revoke --id <token id> [--jwt-stdin]     (form a: that token, current or in grace; admin JWT)
       revoke [--token-stdin]                   (form b: every token in grace; the current token)
  The admin JWT from ${SECRETS.jwt.env} or stdin; the current token from ${SECRETS.token.env} or stdin.
  Prints the revoked ids, one per line.`,
    options: { id: { type: 'string' }, ...stdinFlag(SECRETS.jwt), ...stdinFlag(SECRETS.token) },
    async run({ values, secrets, transport }) {
      const id = values.id as string | undefined;
      const request: ApiCall = id !== undefined
        ? { function: 'revokeServiceToken', method: 'POST', path: '/api/v2/service-token/revoke', bearer: await secrets.required(SECRETS.jwt), body: { id } }
        : { function: 'revokeServiceToken', method: 'POST', path: '/api/v2/service-token/revoke', bearer: await tokenForFormB(secrets), body: {} };
      return field(await call(transport, request), 'data.revoked', isArray).join('\n');
    },
  },

  list: {
    summary: 'list the valid service tokens (ids, status, times); prints JSON',
    usage: `list [--jwt-stdin]
  The admin JWT from ${SECRETS.jwt.env} or stdin. Prints the API's data array as JSON.`,
    options: { ...stdinFlag(SECRETS.jwt) },
    async run({ secrets, transport }) {
      const jwt = await secrets.required(SECRETS.jwt);
      const body = await call(transport, { function: 'listServiceTokens', method: 'GET', path: '/api/v2/service-tokens', bearer: jwt });
      return JSON.stringify(field(body, 'data', isArray), null, 2);
    },
  },

  introspect: {
    summary: 'describe a service token (id, company, times); prints JSON',
    usage: `introspect [--token-stdin]
  The token from ${SECRETS.token.env} or stdin. Prints the API's data object as JSON.`,
    options: { ...stdinFlag(SECRETS.token) },
    async run({ secrets, transport }) {
      const token = await secrets.required(SECRETS.token);
      const body = await call(transport, { function: 'getServiceToken', method: 'GET', path: '/api/v2/service-token', bearer: token });
      return JSON.stringify(field(body, 'data', isObject), null, 2);
    },
  },
};

function graceSeconds(raw: string | boolean | undefined): number {
  if (raw === undefined) throw usageError('needs --grace <seconds>: how long the old token keeps working (0 ends it now)');
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw usageError(`--grace must be a whole number of seconds, got '${String(raw)}'`);
  return Number(raw);
}

/** Form b of revoke takes the current token; an admin JWT alone means --id was forgotten. */
async function tokenForFormB(secrets: SecretReader): Promise<string> {
  const token = await secrets.optional(SECRETS.token);
  if (token !== undefined) return token;
  throw usageError(`revoke needs --id <token id> (with an admin JWT), or the current service token (${SECRETS.token.env} `
    + `or --${SECRETS.token.stdinFlag}) to end every grace window`);
}
