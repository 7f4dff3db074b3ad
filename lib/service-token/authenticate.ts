import { canonicalUuid, digestsEqual, looksLikeServiceToken, tokenDigest } from './token.ts';
import { InvalidServiceToken } from '../errors.ts';
import type { RetiredToken, StoredToken, TokenSet, TokenState } from './token.store.ts';
import type { TokenRuntime } from '../runtime/token-runtime.lean.ts';

/** Where a presented token stands, judged against the clock at read time (never DynamoDB TTL). */
export type TokenStanding =
  | { readonly kind: 'current'; readonly token: StoredToken }
  | { readonly kind: 'grace'; readonly token: RetiredToken }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

export function standingOf(tokens: TokenSet | undefined, digest: string, now: number): TokenStanding {
  if (!tokens) return { kind: 'unknown' };
  if (digestsEqual(tokens.current.digest, digest)) return { kind: 'current', token: tokens.current };
  const retired = tokens.retired.find((t) => digestsEqual(t.digest, digest));
  if (!retired) return { kind: 'unknown' };
  return retired.expiresAt > now ? { kind: 'grace', token: retired } : { kind: 'expired' };
}

export interface ServiceTokenPrincipal {
  readonly state: TokenState;
  readonly digest: string;
  readonly standing: Extract<TokenStanding, { kind: 'current' | 'grace' }>;
}

/**
 * A service token presented as Bearer: valid while current or inside its grace window.
 * Exactly one strongly consistent read, so a revocation holds for the very next request.
 */
export async function authenticateServiceToken(runtime: TokenRuntime, bearer: string | undefined): Promise<ServiceTokenPrincipal> {
  if (bearer === undefined || !looksLikeServiceToken(bearer)) throw new InvalidServiceToken(401);
  const digest = tokenDigest(canonicalUuid(bearer));
  const state = await runtime.serviceTokens.read();
  const standing = standingOf(state?.tokens, digest, runtime.clock.now());
  if (!state || (standing.kind !== 'current' && standing.kind !== 'grace')) throw new InvalidServiceToken(401);
  return { state, digest, standing };
}

/** What introspection and the authorizer's context tell about a token: never its value. */
export function describeToken(principal: ServiceTokenPrincipal) {
  const { token } = principal.standing;
  return {
    companyId: principal.state.companyId,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: principal.standing.kind === 'grace' ? new Date(principal.standing.token.expiresAt).toISOString() : null,
  };
}
