// What `npm run bench` holds each row to (issue 20's goals), in one place. The size and cold-start
// rows cover every function of serverless.yml by themselves: a function added there is built,
// measured and judged with no change here. Authorizers are the functions whose name ends in
// `Authorizer`. A function's DynamoDB calls (the calls section) are one line of CALLS below.

export const isAuthorizer = (fn: string): boolean => fn.endsWith('Authorizer');

export const GOALS = {
  /** Cold start: CPU of the bundle's import, as a ratio to the floor's (scripts/bench/bundles.ts). */
  cold: (fn: string): number => (isAuthorizer(fn) ? 0.7 : 1.2),
  /** Warm CPU per request, as a ratio to the bare work of that request. */
  warm: 1.2,
  /** Bundle bytes, KiB. */
  kib: (fn: string): number => (isAuthorizer(fn) ? 400 : 600),
  /** Information only: 100 -> 10,000 invocations measures V8 warming up. */
  memoryGrowth: 0.05,
  /** The leak check: retained RSS after 20,000 warm invocations at most 3% above that after 10,000. */
  memoryLeak: 0.03,
  /** The admin console's sign-in form on screen, under npm start, in milliseconds. */
  consoleFirstRenderMs: 1000,
};

/**
 * DynamoDB calls per request at their floor, by function: what a successful request of its main
 * path needs (a row of calls.ts may name its own, e.g. the authorizer's 2 when it records a use).
 */
export const CALLS: Readonly<Record<string, number>> = {
  serviceTokenAuthorizer: 1,
  createServiceToken: 2,
  rotateServiceToken: 2,
  listServiceTokens: 1,
  revokeServiceToken: 2,
};
