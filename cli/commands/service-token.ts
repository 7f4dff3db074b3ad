// The service token: create, rotate, revoke, list, introspect (docs/pipelines.md, "Commands").
import { randomUUID } from 'node:crypto';
import { field, usageError, type ApiCall } from '../api.ts';
import { stdinFlags, type Command } from '../command.ts';
import { SECRETS, type SecretReader } from '../inputs.ts';

const isUuid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

export const SERVICE_TOKEN_COMMANDS: Command[] = [
  {
    name: 'create',
    summary: 'create (or replace) the service token; prints it',
    usage: `create (--generate | --new-token-stdin) [--jwt-stdin] [--output-file <path>]
  Every other token stops working at once. The admin JWT from ${SECRETS.jwt.env} or stdin; the new
  token from ${SECRETS.newToken.env}, stdin, or --generate (a random v4 UUID made here).`,
    options: { generate: { type: 'boolean' }, ...stdinFlags(SECRETS.jwt, SECRETS.newToken) },
    reach: 'api',
    printsSecret: true,
    async run({ values, secrets, call }) {
      const given = await secrets.optional(SECRETS.newToken);
      if (values.generate && given !== undefined) {
        throw usageError(`--generate and a given token (${SECRETS.newToken.env} or --${SECRETS.newToken.stdinFlag}) exclude each other`);
      }
      const token = values.generate ? randomUUID() : given;
      if (token === undefined) {
        throw usageError(`needs the new token: --generate, ${SECRETS.newToken.env}, or pipe it into --${SECRETS.newToken.stdinFlag}`);
      }
      const jwt = await secrets.credential(SECRETS.jwt, 'admin JWT');
      const key = field(await call({ function: 'createServiceToken', method: 'POST', path: '/api/v2/service-token', bearer: jwt, body: { token } }), 'key', isUuid);
      return { text: key, json: { key }, secret: key };
    },
  },

  {
    name: 'rotate',
    summary: 'rotate the current service token; prints the new one',
    usage: `rotate --grace <seconds> [--token-stdin | --jwt-stdin] [--output-file <path>]
  The current token from ${SECRETS.token.env} or stdin. With an admin JWT (${SECRETS.jwt.env} or
  stdin) it authenticates (form a); without one, the current token does (form b). The old token
  keeps working for --grace seconds (0 … 604800; 0 ends it now).`,
    options: { grace: { type: 'string' }, ...stdinFlags(SECRETS.token, SECRETS.jwt) },
    reach: 'api',
    printsSecret: true,
    async run({ values, secrets, call }) {
      const expireAt = graceSeconds(values.grace);
      const jwt = await secrets.optionalCredential(SECRETS.jwt, 'admin JWT');
      const token = await secrets.credential(SECRETS.token, 'service token');
      const path = '/api/v2/service-token/rotate';
      const request: ApiCall = jwt === undefined
        ? { function: 'rotateServiceToken', method: 'POST', path, bearer: token, body: { expireAt } }
        : { function: 'rotateServiceToken', method: 'POST', path, bearer: jwt, named: token, body: { token: token.value, expireAt } };
      const key = field(await call(request), 'key', isUuid);
      return { text: key, json: { key }, secret: key };
    },
  },

  {
    name: 'revoke',
    summary: 'revoke a token by id, or end every grace window; prints the revoked ids',
    usage: `revoke --id <token id> [--jwt-stdin]     (form a: that token, current or in grace; admin JWT)
       revoke [--token-stdin]                   (form b: every token in grace; the current token)
  The admin JWT from ${SECRETS.jwt.env} or stdin; the current token from ${SECRETS.token.env} or stdin.
  Prints the revoked ids, one per line.`,
    options: { id: { type: 'string' }, ...stdinFlags(SECRETS.jwt, SECRETS.token) },
    reach: 'api',
    async run({ values, secrets, call }) {
      const id = values.id as string | undefined;
      const path = '/api/v2/service-token/revoke';
      const request: ApiCall = id !== undefined
        ? { function: 'revokeServiceToken', method: 'POST', path, bearer: await secrets.credential(SECRETS.jwt, 'admin JWT'), body: { id } }
        : { function: 'revokeServiceToken', method: 'POST', path, bearer: await tokenForFormB(secrets), body: {} };
      const revoked = field(await call(request), 'data.revoked', isArray);
      return { text: revoked.join('\n'), json: { revoked } };
    },
  },

  {
    name: 'list',
    summary: 'list the valid service tokens (ids, status, times); prints JSON',
    usage: `list [--jwt-stdin]
  The admin JWT from ${SECRETS.jwt.env} or stdin. Prints the API's data array as JSON.`,
    options: { ...stdinFlags(SECRETS.jwt) },
    reach: 'api',
    async run({ secrets, call }) {
      const jwt = await secrets.credential(SECRETS.jwt, 'admin JWT');
      const data = field(await call({ function: 'listServiceTokens', method: 'GET', path: '/api/v2/service-tokens', bearer: jwt }), 'data', isArray);
      return { text: JSON.stringify(data, null, 2), json: data };
    },
  },

  {
    name: 'introspect',
    summary: 'describe a service token (id, company, times); prints JSON',
    usage: `introspect [--token-stdin]
  The token from ${SECRETS.token.env} or stdin. Prints the API's data object as JSON.`,
    options: { ...stdinFlags(SECRETS.token) },
    reach: 'api',
    async run({ secrets, call }) {
      const token = await secrets.credential(SECRETS.token, 'service token');
      const data = field(await call({ function: 'getServiceToken', method: 'GET', path: '/api/v2/service-token', bearer: token }), 'data', isObject);
      return { text: JSON.stringify(data, null, 2), json: data };
    },
  },
];

function graceSeconds(raw: string | boolean | undefined): number {
  if (raw === undefined) throw usageError('needs --grace <seconds>: how long the old token keeps working (0 ends it now)');
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw usageError(`--grace must be a whole number of seconds, got '${String(raw)}'`);
  return Number(raw);
}

/** Form b of revoke takes the current token; an admin JWT alone means --id was forgotten. */
async function tokenForFormB(secrets: SecretReader) {
  const token = await secrets.optionalCredential(SECRETS.token, 'service token');
  if (token !== undefined) return token;
  throw usageError(`revoke needs --id <token id> (with an admin JWT), or the current service token (${SECRETS.token.env} `
    + `or --${SECRETS.token.stdinFlag}) to end every grace window`);
}
