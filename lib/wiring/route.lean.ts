import { lambda, type LambdaHandler, type Runtime } from '../http/pipeline.lean.ts';
import { bearerToken, type ApiRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { authenticateServiceToken, type ServiceTokenPrincipal } from '../service-token/authenticate.ts';
import type { TokenRuntime } from './token-runtime.lean.ts';

export type { LambdaHandler } from '../http/pipeline.lean.ts';

/**
 * Who may call a route, which fixes how it authenticates and what its `principal` is:
 * - `public`: anyone (sign-up, sign-in);
 * - `admin`: an admin JWT; the principal is the account (routes.ts);
 * - `service-token`: the service token as Bearer, its use recorded (routes.ts);
 * - `admin-or-service-token`: either, told apart by the Bearer's shape (routes.ts);
 * - `token`: the service token, in a lean function (no Joi, jose or passwords) that reads no body
 *   (introspection; this file);
 * - `claim`: the instance's first call, with the proof the stage's claimMode asks for (routes.ts);
 * - `operator`: a direct invocation only, never an API Gateway event (the recovery; routes.ts).
 */
export type RouteKind = 'public' | 'admin' | 'service-token' | 'admin-or-service-token' | 'token' | 'claim' | 'operator';

/**
 * An HTTP route: its kind, how it authenticates (always first, before the body is looked at),
 * what body it takes from that caller, and what it does. Built by its kind's constructor
 * (`tokenRoute` here; `publicRoute`, `adminRoute`, … in routes.ts), served by `handlerFor`.
 */
export interface Route<R extends Runtime, P, B> {
  readonly kind: RouteKind;
  authenticate(request: ApiRequest, runtime: R): Promise<P>;
  body(request: ApiRequest, principal: P, runtime: R): B;
  run(input: RouteInput<P, B>, runtime: R): Promise<HttpResult>;
}

export interface RouteInput<P, B> {
  readonly body: B;
  readonly request: ApiRequest;
  readonly principal: P;
}

/**
 * The one way an HTTP route becomes a Lambda handler, whatever its kind: `handlers/<name>.ts`
 * exports `handler = handlerFor(route, <the container's wiring>)`, tests the same with their own.
 */
export function handlerFor<R extends Runtime, P, B>(route: Route<R, P, B>, runtime: R): LambdaHandler {
  return lambda(runtime, async (request) => {
    const principal = await route.authenticate(request, runtime);
    const body = route.body(request, principal, runtime);
    return route.run({ body, request, principal }, runtime);
  });
}

/** The `token` kind: the service token as Bearer (one read, its use recorded), no body read. */
export function tokenRoute(spec: {
  run(input: RouteInput<ServiceTokenPrincipal, undefined>, runtime: TokenRuntime): Promise<HttpResult>;
}): Route<TokenRuntime, ServiceTokenPrincipal, undefined> {
  return {
    kind: 'token',
    authenticate: (request, runtime) => authenticateServiceToken(runtime, bearerToken(request)),
    body: () => undefined,
    run: spec.run,
  };
}
