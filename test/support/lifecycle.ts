// Helpers for the token-lifecycle suites (rotation, password reset, authorizer and introspection).
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { App } from '../../lib/wiring/app.ts';
import type { AuthorizerResult } from '../../handlers/serviceTokenAuthorizer.ts';
import { PATHS, bearer, call, sha256Base64url, tokenSetIn, type Answer, type EventShape, type Harness } from './harness.ts';

export const LIFECYCLE_PATHS = {
  rotate: '/api/v2/service-token/rotate',
  resetPassword: '/api/v2/service-token/reset-password',
  introspect: '/api/v2/service-token',
} as const;

/** A random version 4 UUID in canonical (lowercase, hyphenated) form, RFC 4122 variant. */

export const SECOND = 1_000;
export const iso = (epochMs: number): string => new Date(epochMs).toISOString();

/** Rotate form (a): admin JWT as Bearer, body `{token, expireAt}` (or whatever body is given). */
export const rotateAsAdmin = (harness: Harness, shape: EventShape, jwt: string | undefined, body: unknown): Promise<Answer> =>
  call(harness.handlers.rotateServiceToken, shape, {
    path: LIFECYCLE_PATHS.rotate,
    ...(jwt === undefined ? {} : { headers: bearer(jwt) }),
    body,
  });

/** Rotate form (b): the service token itself as Bearer, body `{expireAt}`. */
export const rotateWithToken = (harness: Harness, shape: EventShape, token: string, body: unknown): Promise<Answer> =>
  call(harness.handlers.rotateServiceToken, shape, { path: LIFECYCLE_PATHS.rotate, headers: bearer(token), body });

export type RotationForm = 'a' | 'b';
export const FORMS: readonly RotationForm[] = ['a', 'b'];

/** Rotates `token` by the given form (a with `jwt`), grace `expireAt`. */
export const rotate = (
  harness: Harness,
  form: RotationForm,
  jwt: string,
  token: string,
  expireAt: unknown,
  shape: EventShape = 'http-api',
): Promise<Answer> =>
  form === 'a' ? rotateAsAdmin(harness, shape, jwt, { token, expireAt }) : rotateWithToken(harness, shape, token, { expireAt });

/** Rotates and insists on a 200: the new key. */
export async function rotateOk(harness: Harness, form: RotationForm, jwt: string, token: string, expireAt: unknown): Promise<string> {
  const response = await rotate(harness, form, jwt, token, expireAt);
  if (response.statusCode !== 200) throw new Error(`rotation failed: ${response.statusCode} ${response.raw}`);
  return response.body.key as string;
}

/** POST /api/v2/service-token with the admin JWT; insists on a 200 and returns the token. */
export async function createToken(harness: Harness, jwt: string, token: string = randomUUID()): Promise<string> {
  const response = await call(harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token } });
  if (response.statusCode !== 200) throw new Error(`create failed: ${response.statusCode} ${response.raw}`);
  return response.body.key as string;
}

/** POST /api/v2/service-token/reset-password. */
export const resetPassword = (harness: Harness, shape: EventShape, jwt: string | undefined, body: unknown): Promise<Answer> =>
  call(harness.handlers.resetAdminPassword, shape, {
    path: LIFECYCLE_PATHS.resetPassword,
    ...(jwt === undefined ? {} : { headers: bearer(jwt) }),
    body,
  });

/** POST /api/v2/admin-account/jwt. */
export const signIn = (harness: Harness, email: string, password: string): Promise<Answer> =>
  call(harness.handlers.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email, password } });

/** GET /api/v2/service-token with the given Authorization header value (none when undefined). */
export const introspect = (harness: Harness, shape: EventShape, authorization: string | undefined): Promise<Answer> =>
  call(harness.handlers.getServiceToken, shape, {
    method: 'GET',
    path: LIFECYCLE_PATHS.introspect,
    ...(authorization === undefined ? {} : { headers: { authorization } }),
  });

/**
 * The event API Gateway (HTTP API, payload 2.0, REQUEST authorizer with simple responses) hands the
 * authorizer for `GET /api/v2/service-token`.
 */
export function authorizerEvent(headers: Record<string, string> = {}): Record<string, unknown> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/api/v2/service-token',
    identitySource: lower.authorization === undefined ? [] : [lower.authorization],
    routeKey: 'GET /api/v2/service-token',
    rawPath: '/api/v2/service-token',
    rawQueryString: '',
    headers: lower,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      http: { method: 'GET', path: '/api/v2/service-token', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey: 'GET /api/v2/service-token',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

/** The authorizer's answer for `Authorization: <authorization>` (no header when undefined). */
export const authorize = (harness: Harness, authorization: string | undefined): Promise<AuthorizerResult> =>
  harness.handlers.serviceTokenAuthorizer(authorizerEvent(authorization === undefined ? {} : { authorization }));

/** The authorizer's answer for `Authorization: Bearer <token>`. */
export const authorizeToken = (harness: Harness, token: string): Promise<AuthorizerResult> => authorize(harness, `Bearer ${token}`);

export const DENY = { isAuthorized: false, context: {} } as const;

/** The tokens of `tokens` that the authorizer currently allows, in order. */
export async function allowedTokens(harness: Harness, tokens: readonly string[]): Promise<string[]> {
  const answers = await Promise.all(tokens.map((token) => authorizeToken(harness, token)));
  return tokens.filter((_, i) => answers[i]!.isAuthorized);
}

export const tokenSet = async (harness: Harness) => tokenSetIn(await harness.items());

/** The id the table holds for `token` (current, in grace or a tombstone); undefined if none. */
export async function idOf(harness: Harness, token: string): Promise<string | undefined> {
  const set = await tokenSet(harness);
  const digest = sha256Base64url(token.toLowerCase());
  const all = [set?.current, ...((set?.retired as unknown[] | undefined) ?? [])] as ({ id: string; digest: string } | undefined)[];
  return all.find((t) => t?.digest === digest)?.id;
}

/** Every data-access method of the app's stores, spied on (calls pass through). */
export type StoreMethod =
  | 'accounts.get'
  | 'accounts.create'
  | 'accounts.changePassword'
  | 'serviceTokens.read'
  | 'serviceTokens.write'
  | 'serviceTokens.replace'
  | 'serviceTokens.recordUse'
  | 'signInAttempts.reserve'
  | 'signInAttempts.release'
  | 'signInAttempts.clear'
  | 'resetAttempts.reserve'
  | 'resetAttempts.release'
  | 'resetAttempts.clear';

export interface StoreSpies {
  /** How often each store method was called since the spies were set (or last reset). */
  counts(): Record<StoreMethod, number>;
  reset(): void;
}

/**
 * Spies on every store method of `app` (restore with jest.restoreAllMocks()). Nested calls
 * (a store method calling another through `this`) are counted too.
 */
export function spyOnStores(app: App): StoreSpies {
  const spies = {
    'accounts.get': jest.spyOn(app.accounts, 'get'),
    'accounts.create': jest.spyOn(app.accounts, 'create'),
    'accounts.changePassword': jest.spyOn(app.accounts, 'changePassword'),
    'serviceTokens.read': jest.spyOn(app.serviceTokens, 'read'),
    'serviceTokens.write': jest.spyOn(app.serviceTokens, 'write'),
    'serviceTokens.replace': jest.spyOn(app.serviceTokens, 'replace'),
    'serviceTokens.recordUse': jest.spyOn(app.serviceTokens, 'recordUse'),
    'signInAttempts.reserve': jest.spyOn(app.signInAttempts, 'reserve'),
    'signInAttempts.release': jest.spyOn(app.signInAttempts, 'release'),
    'signInAttempts.clear': jest.spyOn(app.signInAttempts, 'clear'),
    'resetAttempts.reserve': jest.spyOn(app.resetAttempts, 'reserve'),
    'resetAttempts.release': jest.spyOn(app.resetAttempts, 'release'),
    'resetAttempts.clear': jest.spyOn(app.resetAttempts, 'clear'),
  } as const;
  return {
    counts: () =>
      Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.calls.length])) as Record<StoreMethod, number>,
    reset: () => Object.values(spies).forEach((spy) => spy.mockClear()),
  };
}

/** Zero calls everywhere except the ones named. */
export const onlyCalls = (calls: Partial<Record<StoreMethod, number>>): Record<StoreMethod, number> => ({
  'accounts.get': 0,
  'accounts.create': 0,
  'accounts.changePassword': 0,
  'serviceTokens.read': 0,
  'serviceTokens.write': 0,
  'serviceTokens.replace': 0,
  'serviceTokens.recordUse': 0,
  'signInAttempts.reserve': 0,
  'signInAttempts.release': 0,
  'signInAttempts.clear': 0,
  'resetAttempts.reserve': 0,
  'resetAttempts.release': 0,
  'resetAttempts.clear': 0,
  ...calls,
});

/**
 * Every request any DynamoDB document client sends while the spy is in place (the app's and the
 * harness's own), as `<CommandName>` with its input: the real round trips, below the stores.
 * Do not call `harness.items()` while counting.
 */
export function spyOnDynamoDb(): { commands(): { name: string; input: Record<string, unknown> }[] } {
  const spy = jest.spyOn(DynamoDBDocumentClient.prototype, 'send');
  return {
    commands: () =>
      spy.mock.calls.map(([command]) => {
        const c = command as unknown as { constructor: { name: string }; input: Record<string, unknown> };
        return { name: c.constructor.name, input: c.input };
      }),
  };
}

/** Runs `action` and asserts every item of the table is exactly as before it; returns its result. */
export async function expectTableUnchanged<T>(harness: Harness, action: () => Promise<T>): Promise<T> {
  const before = await harness.items();
  const result = await action();
  expect(await harness.items()).toStrictEqual(before);
  return result;
}
