import { v4 as uuidv4 } from 'uuid';
import type { App } from '../runtime/app.ts';
import { tokenDigest } from './token.ts';
import { ExpiredServiceToken, InvalidServiceToken } from '../errors.ts';
import type { Account } from '../admin/account.store.ts';
import { authenticateAdmin } from '../admin/authenticate.ts';
import { bearerToken, type ApiRequest } from '../http/request.ts';
import { authenticateServiceToken, standingOf } from './authenticate.ts';
import { looksLikeServiceToken } from './token.ts';
import { tokenState, type RetiredToken, type TokenSet, type TokenState } from './token.store.ts';
import type { RotateWithAdminBody, RotateWithTokenBody } from './bodies.ts';
import { adminActor, serviceTokenActor } from '../observability/audit.ts';

/** At most this many tokens are valid at once: the current one and those in their grace window. */
export const MAX_VALID_TOKENS = 10;
/** Rotated-out tokens past their window, kept so that presenting one says "expired", not "unknown". */
export const MAX_EXPIRED_KEPT = 10;

/**
 * Upsert of the company's service token: afterwards the submitted token is the only valid one.
 * `token` arrives canonical (validation lower-cases and hyphenates it); only its digest is stored.
 */
export async function createServiceToken(app: App, account: Account, token: string): Promise<string> {
  await app.serviceTokens.replace(account.companyId, tokenDigest(token), app.clock.now());
  app.audit.record('service_token.created', { outcome: 'success', actor: adminActor(account.adminId), companyId: account.companyId });
  return token;
}

/** How a rotation was authenticated: the answers for a bad token differ (CONTRACT §4). */
export type RotationPrincipal =
  | { readonly form: 'admin'; readonly state: TokenState; readonly adminId: string }
  | { readonly form: 'service-token'; readonly state: TokenState; readonly digest: string };

/**
 * The rotate route's two documented forms, told apart by the Bearer value: a UUID is the service
 * token itself, anything else must be an admin JWT. Either way one read yields the token set.
 */
export async function authenticateRotation(app: App, request: ApiRequest): Promise<RotationPrincipal> {
  const bearer = bearerToken(request);
  if (bearer !== undefined && looksLikeServiceToken(bearer)) {
    const { state, digest } = await authenticateServiceToken(app, bearer);
    return { form: 'service-token', state, digest };
  }
  const account = await authenticateAdmin(app, bearer);
  return { form: 'admin', state: tokenState(account), adminId: account.adminId };
}

/**
 * Rotates the presented token (form a: named in the body; form b: the Bearer itself): a new random
 * v4 UUID becomes current, the old one stays valid for `expireAt` seconds. One read (when the
 * caller authenticated) and one conditional write: the write only lands if the token set is
 * unchanged since that read, so of two concurrent rotations exactly one succeeds.
 */
export async function rotateServiceToken(
  app: App,
  principal: RotationPrincipal,
  body: RotateWithAdminBody | RotateWithTokenBody,
): Promise<string> {
  const { form, state } = principal;
  const presentedDigest = form === 'admin' ? tokenDigest((body as RotateWithAdminBody).token) : principal.digest;
  const graceSeconds = body.expireAt;
  const now = app.clock.now();
  const standing = standingOf(state.tokens, presentedDigest, now);
  if (standing.kind === 'unknown' || (standing.kind === 'expired' && form === 'service-token')) {
    throw new InvalidServiceToken(form === 'admin' ? 400 : 401);
  }
  if (standing.kind !== 'current' || !state.tokens) throw new ExpiredServiceToken();

  const next = uuidv4();
  const tokens: TokenSet = {
    current: { digest: tokenDigest(next), createdAt: now },
    retired: retire(state.tokens, now + graceSeconds * 1000, now),
  };
  if (!(await app.serviceTokens.write(state.companyId, state.revision, tokens))) {
    // Someone rotated or replaced the set since our read: the presented token is no longer current.
    throw new ExpiredServiceToken();
  }
  const actor = principal.form === 'admin' ? adminActor(principal.adminId) : serviceTokenActor();
  app.audit.record('service_token.rotated', { outcome: 'success', actor, companyId: state.companyId, graceSeconds });
  return next;
}

/**
 * The retired list after the current token leaves with `expiresAt`: at most MAX_VALID_TOKENS - 1
 * still valid (the one closest to expiry is dropped first: it ends now), plus the most recently
 * expired few as tombstones.
 */
function retire(tokens: TokenSet, expiresAt: number, now: number): RetiredToken[] {
  const all = [{ ...tokens.current, expiresAt }, ...tokens.retired].sort((a, b) => b.expiresAt - a.expiresAt);
  const live = all.filter((t) => t.expiresAt > now);
  const kept = live.slice(0, MAX_VALID_TOKENS - 1);
  const pushedOut = live.slice(MAX_VALID_TOKENS - 1).map((t) => ({ ...t, expiresAt: now }));
  const expired = [...pushedOut, ...all.filter((t) => t.expiresAt <= now)].slice(0, MAX_EXPIRED_KEPT);
  return [...kept, ...expired];
}
