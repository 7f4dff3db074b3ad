import { keyDigest, canonicalUuid } from '../credentials/secret.ts';
import { locate } from '../credentials/key-set.ts';
import { useIsStale } from '../credentials/last-used.ts';
import { InvalidServiceToken } from '../errors.ts';
import type { Clock } from '../runtime/clock.ts';
import type { RequestLogger } from '../observability/logger.ts';
import { looksLikeServiceToken } from './token.ts';
import type { ServiceTokenStore, TokenPlace, TokenState } from './token.store.ts';

/** What checking a service token uses. */
export interface TokenCheck {
  readonly serviceTokens: ServiceTokenStore;
  readonly clock: Clock;
  readonly logger: Pick<RequestLogger, 'warn'>;
}

export interface ServiceTokenPrincipal {
  readonly state: TokenState;
  readonly digest: string;
  /** Where the token stands in the set: current (`active`) or in grace. */
  readonly at: TokenPlace;
}

/**
 * The caller of a route that takes either credential (the `admin-or-service-token` kind of
 * lib/wiring/routes.ts: rotate, revoke): an admin JWT, or the service token itself (CONTRACT §4,
 * §7). Either way one read yields the company's token set; the actor is `adminActor(adminId)` or
 * `serviceTokenActor(at.key.id)` (lib/observability/audit.ts).
 */
export type AdminOrServiceTokenPrincipal =
  | { readonly form: 'admin'; readonly state: TokenState; readonly adminId: string }
  | ({ readonly form: 'service-token' } & ServiceTokenPrincipal);

/**
 * A service token presented as Bearer: valid while current or inside its grace window.
 * Exactly one strongly consistent read, so a revocation holds for the very next request; then,
 * unless `recordUse` is false (a caller whose own write records the use), the use is recorded
 * when the token's `lastUsedAt` is stale (lib/credentials/last-used.ts).
 */
export async function authenticateServiceToken(
  deps: TokenCheck,
  bearer: string | undefined,
  { recordUse: record = true }: { readonly recordUse?: boolean } = {},
): Promise<ServiceTokenPrincipal> {
  if (bearer === undefined || !looksLikeServiceToken(bearer)) throw new InvalidServiceToken(401);
  const digest = keyDigest(canonicalUuid(bearer));
  const state = await deps.serviceTokens.read();
  if (!state) throw new InvalidServiceToken(401);
  const now = deps.clock.now();
  const at = locate(state.tokens, digest, now);
  if (at.standing !== 'active' && at.standing !== 'grace') throw new InvalidServiceToken(401);
  const principal = { state, digest, at };
  if (record) await recordUse(deps, principal, now);
  return principal;
}

/**
 * Records the use at `now` when the token's `lastUsedAt` is stale (lib/credentials/last-used.ts):
 * one conditional write of that token's attribute alone (token.store.ts says why it cannot undo a
 * concurrent create, rotation or revocation). The write is awaited: a Lambda container is frozen
 * once the response is returned, so a write left running would finish (or time out) at some later
 * invocation, if ever. It never fails the request.
 */
export async function recordUse(deps: TokenCheck, principal: ServiceTokenPrincipal, now: number): Promise<void> {
  if (!useIsStale(principal.at.key, now)) return;
  try {
    await deps.serviceTokens.recordUse(principal.at, now);
  } catch (error) {
    deps.logger.warn('lastUsedAt not recorded', { tokenId: principal.at.key.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

/** What introspection and the authorizer's context tell about a token: never its value. */
export function describeToken(principal: ServiceTokenPrincipal) {
  const { at } = principal;
  return {
    companyId: principal.state.companyId,
    id: at.key.id,
    createdAt: new Date(at.key.createdAt).toISOString(),
    expiresAt: at.standing === 'grace' ? new Date(at.key.expiresAt).toISOString() : null,
  };
}
