import { canonicalUuid, digestsEqual, looksLikeServiceToken, tokenDigest } from './token.ts';
import { InvalidServiceToken } from '../errors.ts';
import { LAST_USED_PRECISION_MS, type RetiredToken, type StoredToken, type TokenSet, type TokenState } from './token.store.ts';
import type { TokenRuntime } from '../runtime/token-runtime.lean.ts';

/** Where a presented token stands, judged against the clock at read time (never DynamoDB TTL). */
export type TokenStanding =
  | { readonly kind: 'current'; readonly token: StoredToken }
  | { readonly kind: 'grace'; readonly token: RetiredToken; readonly index: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

export function standingOf(tokens: TokenSet | undefined, digest: string, now: number): TokenStanding {
  if (!tokens) return { kind: 'unknown' };
  if (tokens.current && digestsEqual(tokens.current.digest, digest)) return { kind: 'current', token: tokens.current };
  const index = tokens.retired.findIndex((t) => digestsEqual(t.digest, digest));
  const retired = tokens.retired[index];
  if (!retired) return { kind: 'unknown' };
  return retired.expiresAt > now ? { kind: 'grace', token: retired, index } : { kind: 'expired' };
}

export interface ServiceTokenPrincipal {
  readonly state: TokenState;
  readonly digest: string;
  readonly standing: Extract<TokenStanding, { kind: 'current' | 'grace' }>;
}

/**
 * A service token presented as Bearer: valid while current or inside its grace window.
 * Exactly one strongly consistent read, so a revocation holds for the very next request; then,
 * unless `recordUse` is false (a caller whose own write records the use), the use is recorded
 * when the token's `lastUsedAt` is stale (see recordUse).
 */
export async function authenticateServiceToken(
  runtime: TokenRuntime,
  bearer: string | undefined,
  { recordUse: record = true }: { readonly recordUse?: boolean } = {},
): Promise<ServiceTokenPrincipal> {
  if (bearer === undefined || !looksLikeServiceToken(bearer)) throw new InvalidServiceToken(401);
  const digest = tokenDigest(canonicalUuid(bearer));
  const state = await runtime.serviceTokens.read();
  const now = runtime.clock.now();
  const standing = standingOf(state?.tokens, digest, now);
  if (!state || (standing.kind !== 'current' && standing.kind !== 'grace')) throw new InvalidServiceToken(401);
  const principal = { state, digest, standing };
  if (record) await recordUse(runtime, principal, now);
  return principal;
}

/**
 * `lastUsedAt` is written at most once per token per LAST_USED_PRECISION_MS (5 minutes): with a
 * fresh value the request costs its one read, with a stale one a second call, a conditional
 * UpdateItem of that token's attribute alone (token.store.ts says why it cannot undo a concurrent
 * create, rotation or revocation).
 * The write is awaited: a Lambda container is frozen once the response is returned, so a write
 * left running would finish (or time out) at some later invocation, if ever. It never fails the
 * request: the token was valid when read, and a use time is bookkeeping, not a credential check.
 */
export async function recordUse(runtime: TokenRuntime, principal: ServiceTokenPrincipal, now: number): Promise<void> {
  const { token } = principal.standing;
  if (token.lastUsedAt !== undefined && token.lastUsedAt > now - LAST_USED_PRECISION_MS) return;
  const place = principal.standing.kind === 'current' ? 'current' : principal.standing.index;
  try {
    await runtime.serviceTokens.recordUse(place, token, now);
  } catch (error) {
    runtime.logger.warn('lastUsedAt not recorded', { tokenId: token.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

/** What introspection and the authorizer's context tell about a token: never its value. */
export function describeToken(principal: ServiceTokenPrincipal) {
  const { token } = principal.standing;
  return {
    companyId: principal.state.companyId,
    id: token.id,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: principal.standing.kind === 'grace' ? new Date(principal.standing.token.expiresAt).toISOString() : null,
  };
}
