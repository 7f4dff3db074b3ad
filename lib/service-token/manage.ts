import { v4 as uuidv4 } from 'uuid';
import type { App } from '../runtime/app.ts';
import { newTokenId, tokenDigest } from './token.ts';
import { AccountNotFound, ExpiredServiceToken, InvalidServiceToken, ServiceTokenNotFound } from '../errors.ts';
import type { Account } from '../admin/account.store.ts';
import { authenticateAdmin } from '../admin/authenticate.ts';
import { bearerToken, type ApiRequest } from '../http/request.ts';
import { authenticateServiceToken, recordUse, standingOf, type ServiceTokenPrincipal } from './authenticate.ts';
import { looksLikeServiceToken } from './token.ts';
import { tokenState, type RetiredToken, type StoredToken, type TokenSet, type TokenState } from './token.store.ts';
import type { RevokeWithAdminBody, RevokeWithTokenBody, RotateWithAdminBody, RotateWithTokenBody } from './bodies.ts';
import { adminActor, serviceTokenActor } from '../observability/audit.ts';

/** At most this many tokens are valid at once: the current one and those in their grace window. */
export const MAX_VALID_TOKENS = 10;
/** Rotated-out or revoked tokens past their window, kept so that presenting one says "expired", not "unknown". */
export const MAX_EXPIRED_KEPT = 10;

/**
 * Upsert of the company's service token: afterwards the submitted token is the only valid one.
 * `token` arrives canonical (validation lower-cases and hyphenates it); only its digest is stored.
 * Every create that writes gives the token a fresh id, even when its value was current already:
 * an id once revoked can then never name a valid token again, whatever the interleaving.
 */
export async function createServiceToken(app: App, account: Account, token: string): Promise<string> {
  const id = newTokenId();
  await app.serviceTokens.replace(account.companyId, { id, digest: tokenDigest(token), createdAt: app.clock.now() });
  app.audit.record('service_token.created', { outcome: 'success', actor: adminActor(account.adminId), companyId: account.companyId, tokenIds: [id] });
  return token;
}

/** How a rotation or revocation was authenticated: the answers for a bad token differ (CONTRACT §4). */
export type TokenManagementPrincipal =
  | { readonly form: 'admin'; readonly state: TokenState; readonly adminId: string }
  | { readonly form: 'service-token'; readonly state: TokenState; readonly digest: string };

/**
 * The two documented forms of the rotate and revoke routes, told apart by the Bearer value: a UUID
 * is the service token itself, anything else must be an admin JWT. Either way one read yields the
 * token set. The service token's use is recorded by the route's own write, not by a second one.
 */
export async function authenticateTokenManagement(app: App, request: ApiRequest): Promise<TokenManagementPrincipal> {
  const bearer = bearerToken(request);
  if (bearer !== undefined && looksLikeServiceToken(bearer)) {
    const { state, digest } = await authenticateServiceToken(app, bearer, { recordUse: false });
    return { form: 'service-token', state, digest };
  }
  const account = await authenticateAdmin(app, bearer);
  return { form: 'admin', state: tokenState(account), adminId: account.adminId };
}

/**
 * Rotates the presented token (form a: named in the body; form b: the Bearer itself): a new random
 * v4 UUID becomes current, the old one stays valid for `expireAt` seconds. One read (when the
 * caller authenticated) and one conditional write: the write only lands if the token set is
 * unchanged since that read, so of two concurrent rotations exactly one succeeds, and a token
 * revoked meanwhile is never written back.
 */
export async function rotateServiceToken(
  app: App,
  principal: TokenManagementPrincipal,
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
  const digest = tokenDigest(next);
  // Form b authenticated with the old token: this write records that use too.
  const old = form === 'service-token' ? { ...standing.token, lastUsedAt: now } : standing.token;
  const tokens: TokenSet = {
    current: { id: newTokenId(), digest, createdAt: now },
    retired: arrange([{ ...old, expiresAt: now + graceSeconds * 1000 }, ...state.tokens.retired], now),
  };
  if (!(await app.serviceTokens.write(state.companyId, state.revision, tokens, (set) => set?.current?.digest === digest))) {
    // Someone rotated, replaced or revoked since our read: the presented token is no longer current.
    throw new ExpiredServiceToken();
  }
  const actor = principal.form === 'admin' ? adminActor(principal.adminId) : serviceTokenActor(standing.token.id);
  app.audit.record('service_token.rotated', {
    outcome: 'success', actor, companyId: state.companyId, tokenIds: [standing.token.id, tokens.current!.id], graceSeconds,
  });
  return next;
}

/**
 * The retired list: at most MAX_VALID_TOKENS - 1 still valid, latest expiry first (the one closest
 * to expiry is dropped first: it ends now), then the most recently expired few as tombstones.
 */
export function arrange(retired: readonly RetiredToken[], now: number): RetiredToken[] {
  const all = [...retired].sort((a, b) => b.expiresAt - a.expiresAt);
  const live = all.filter((t) => t.expiresAt > now);
  const kept = live.slice(0, MAX_VALID_TOKENS - 1);
  const pushedOut = live.slice(MAX_VALID_TOKENS - 1).map((t) => ({ ...t, expiresAt: now }));
  const expired = [...pushedOut, ...all.filter((t) => t.expiresAt <= now)].slice(0, MAX_EXPIRED_KEPT);
  return [...kept, ...expired];
}

/** A token as the listing shows it: never its value or digest. */
export interface TokenListing {
  readonly id: string;
  readonly status: 'current' | 'grace';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
}

const iso = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : new Date(epochMs).toISOString());

/** Every valid token of the company: the current one first, then those in grace by expiry, latest first. */
export function listServiceTokens(app: App, account: Account): TokenListing[] {
  const { tokens } = tokenState(account);
  if (!tokens) return [];
  const now = app.clock.now();
  const listing = (token: StoredToken, status: TokenListing['status'], expiresAt: number | undefined): TokenListing => ({
    id: token.id,
    status,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: iso(expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
  });
  const grace = tokens.retired.filter((t) => t.expiresAt > now).sort((a, b) => b.expiresAt - a.expiresAt);
  return [
    ...(tokens.current ? [listing(tokens.current, 'current', undefined)] : []),
    ...grace.map((t) => listing(t, 'grace', t.expiresAt)),
  ];
}

/**
 * A revocation is read, decide, conditional write on the revision, like a rotation; but where a
 * rotation that lost a race must fail (exactly one of two wins), a revocation is re-decided on a
 * fresh read and tried again: the caller wants the token dead whatever else happened meanwhile.
 * Each lost race means another write of the set landed, and each request writes the set at most
 * once, so a bounded number of tries suffices unless dozens of writes hit the set at the same
 * instant; then the request fails with a 500 rather than loop.
 */
export const MAX_REVOCATION_TRIES = 25;

/**
 * Revokes (form a) the token named by `id`, current or in grace, or (form b, the current token as
 * Bearer) every token in grace. Revoked tokens stay as tombstones (expired now), so presenting one
 * later says "expired", and every later write starts from a set without them: a concurrent create,
 * rotation or use-recording can never make them valid again. Returns the revoked ids.
 */
export async function revokeServiceTokens(
  app: App,
  principal: TokenManagementPrincipal,
  body: RevokeWithAdminBody | RevokeWithTokenBody,
): Promise<string[]> {
  let state = principal.state;
  for (let tries = 1; ; tries++) {
    const now = app.clock.now();
    const decision =
      principal.form === 'admin' ? revokeById(state, (body as RevokeWithAdminBody).id, now) : revokeGrace(state, principal.digest, now);
    if ('nothingInGrace' in decision) {
      // Nothing to write: the set stays as it is (no revision bump to fail a concurrent rotation).
      await recordUse(app, decision.nothingInGrace, now);
      return [];
    }
    const { tokens, revoked } = decision;
    // A retried write whose first attempt had landed finds none of them valid any more.
    const landed = (set: TokenSet | undefined) => !revoked.some((id) => isValid(set, id, app.clock.now()));
    if (await app.serviceTokens.write(state.companyId, state.revision, tokens, landed)) {
      // Form b was checked to be the current token (revokeGrace): the actor is that token.
      const actor = principal.form === 'admin' ? adminActor(principal.adminId) : serviceTokenActor(state.tokens?.current?.id);
      app.audit.record('service_token.revoked', { outcome: 'success', actor, companyId: state.companyId, tokenIds: revoked });
      return revoked;
    }
    if (tries >= MAX_REVOCATION_TRIES) throw new Error(`revocation lost ${tries} races in a row`);
    const fresh = await app.serviceTokens.read();
    if (!fresh) throw new AccountNotFound();
    state = fresh;
  }
}

function isValid(tokens: TokenSet | undefined, id: string, now: number): boolean {
  return tokens?.current?.id === id || (tokens?.retired.some((t) => t.id === id && t.expiresAt > now) ?? false);
}

/** Form a: the token with `id`, current or in grace. */
function revokeById(state: TokenState, id: string, now: number): { tokens: TokenSet; revoked: string[] } {
  const { tokens } = state;
  if (!tokens || !isValid(tokens, id, now)) throw new ServiceTokenNotFound();
  if (tokens.current?.id === id) {
    return { tokens: { retired: arrange([{ ...tokens.current, expiresAt: now }, ...tokens.retired], now) }, revoked: [id] };
  }
  const retired = tokens.retired.map((t) => (t.id === id ? { ...t, expiresAt: now } : t));
  return { tokens: { ...tokens, retired: arrange(retired, now) }, revoked: [id] };
}

/**
 * Form b: every token in grace, on the word of the current token (the Bearer, whose use this write
 * records). It must still be current on the state the write is decided on: if it was rotated out
 * meanwhile, the answer is as for a rotation with it.
 */
function revokeGrace(
  state: TokenState,
  digest: string,
  now: number,
): { tokens: TokenSet; revoked: string[] } | { nothingInGrace: ServiceTokenPrincipal } {
  const standing = standingOf(state.tokens, digest, now);
  if (standing.kind === 'unknown' || standing.kind === 'expired') throw new InvalidServiceToken(401);
  if (standing.kind !== 'current' || !state.tokens) throw new ExpiredServiceToken();
  const revoked = state.tokens.retired.filter((t) => t.expiresAt > now).map((t) => t.id);
  if (revoked.length === 0) return { nothingInGrace: { state, digest, standing } };
  const retired = state.tokens.retired.map((t) => (t.expiresAt > now ? { ...t, expiresAt: now } : t));
  return { tokens: { current: { ...standing.token, lastUsedAt: now }, retired: arrange(retired, now) }, revoked };
}
