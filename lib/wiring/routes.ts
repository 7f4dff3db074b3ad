import type Joi from 'joi';
import { authenticateAdmin } from '../admin/authenticate.ts';
import type { Account } from '../admin/account.store.ts';
import { InvalidRequestBody, RecoveryByInvocationOnly } from '../errors.ts';
import { bearerToken, jsonBody, type ApiRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { authenticateServiceToken, type ServiceTokenPrincipal, type AdminOrServiceTokenPrincipal } from '../service-token/authenticate.ts';
import { looksLikeServiceToken } from '../service-token/token.ts';
import { tokenState } from '../service-token/token.store.ts';
import type { App } from './app.ts';
import type { Route, RouteInput, RouteKind } from './route.lean.ts';

export { handlerFor, type LambdaHandler } from './route.lean.ts';

/*
 * The kinds of route of the full functions (route.lean.ts lists them all): each authenticates its
 * way, then validates the JSON body with the route's Joi schema. A handler builds the schemas its
 * route uses once, as its module loads (app.ts), and only those.
 */

/** What a full route brings: its body schema for the caller, and what it does. */
export interface RouteSpec<P, B> {
  schema(principal: P, app: App): Joi.ObjectSchema<B>;
  run(input: RouteInput<P, B>, app: App): Promise<HttpResult>;
}

export type FullRoute<P, B> = Route<App, P, B>;

function route<P, B>(kind: RouteKind, authenticate: (request: ApiRequest, app: App) => Promise<P>, spec: RouteSpec<P, B>): FullRoute<P, B> {
  return {
    kind,
    authenticate,
    body: (request, principal, app) => validate(spec.schema(principal, app), jsonBody(request)),
    run: spec.run,
  };
}

/** Anyone may call it. */
export const publicRoute = <B>(spec: RouteSpec<undefined, B>): FullRoute<undefined, B> =>
  route('public', async () => undefined, spec);

/** An admin JWT; the principal is the account, read strongly consistent. */
export const adminRoute = <B>(spec: RouteSpec<Account, B>): FullRoute<Account, B> =>
  route('admin', (request, app) => authenticateAdmin(app, bearerToken(request)), spec);

/** The service token as Bearer, its use recorded. */
export const serviceTokenRoute = <B>(spec: RouteSpec<ServiceTokenPrincipal, B>): FullRoute<ServiceTokenPrincipal, B> =>
  route('service-token', (request, app) => authenticateServiceToken(app, bearerToken(request)), spec);

/**
 * The claim of the instance (POST /api/v2/admin-account): its proof, as the stage's claimMode asks
 * (admin/claim.ts: the setup code, or a direct invocation, or nothing), checked before the body.
 */
export const claimRoute = <B>(spec: RouteSpec<undefined, B>): FullRoute<undefined, B> =>
  route('claim', async (request, app) => {
    await app.claim.authorize(request);
    return undefined;
  }, spec);

/**
 * The operator's, by direct invocation only: an IAM permission is its credential, and an event that
 * came through API Gateway (or imitates one) is refused. No route reaches such a function anyway
 * (serverless.yml gives it no event); this holds if one ever did.
 */
export const operatorRoute = <B>(spec: RouteSpec<undefined, B>): FullRoute<undefined, B> =>
  route('operator', async (request) => {
    if (request.source !== 'direct') throw new RecoveryByInvocationOnly();
    return undefined;
  }, spec);

/**
 * Either credential, told apart by the Bearer value: a UUID is the service token itself, anything
 * else must be an admin JWT. Either way one read yields the token set. `recordUse: false` for a
 * route whose own write records the service token's use (rotate, revoke), not a second write.
 */
export const adminOrServiceTokenRoute = <B>(
  spec: RouteSpec<AdminOrServiceTokenPrincipal, B> & { readonly recordUse?: boolean },
): FullRoute<AdminOrServiceTokenPrincipal, B> =>
  route('admin-or-service-token', async (request, app): Promise<AdminOrServiceTokenPrincipal> => {
    const bearer = bearerToken(request);
    if (bearer !== undefined && looksLikeServiceToken(bearer)) {
      return { form: 'service-token', ...(await authenticateServiceToken(app, bearer, { recordUse: spec.recordUse ?? true })) };
    }
    const account = await authenticateAdmin(app, bearer);
    return { form: 'admin', state: tokenState(account), adminId: account.adminId };
  }, spec);

/**
 * Joi's own messages are part of the contract: the first problem found becomes the 400's message.
 *
 * Joi works on a copy it makes with Object.assign, and assigning an own `__proto__` property (which
 * JSON.parse, and the Lambda runtime for a direct invocation, create for a `"__proto__"` key) sets
 * the copy's prototype instead: the field would vanish unseen, neither validated nor refused.
 * Handing Joi a copy without a prototype keeps `__proto__` an ordinary key there, so Joi refuses it
 * like any unknown field (`"__proto__" is not allowed`). `constructor` needs nothing: it is copied.
 */
export function validate<T>(schema: Joi.ObjectSchema<T>, body: Record<string, unknown>): T {
  // Only then: Joi's work on an object without a prototype is slower (docs/performance.md), and an
  // ordinary body needs no such copy.
  const input = Object.hasOwn(body, '__proto__') ? Object.assign(Object.create(null), body) : body;
  // Joi's defaults are the contract's rules: stop at the first problem, convert (a numeric string
  // is a number), refuse unknown keys. Passing them as options would make Joi merge them into its
  // preferences on every call (test/unit/validation.test.ts holds all three).
  const { value, error } = schema.validate(input);
  if (error) throw new InvalidRequestBody(error.message);
  return value;
}
