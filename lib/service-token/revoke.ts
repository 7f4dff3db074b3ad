import { endGrace, isValid, locate, markUsed, revoke, type KeySet } from '../credentials/key-set.ts';
import { SERVICE_TOKENS } from '../credentials/kinds.ts';
import { AccountNotFound, ExpiredServiceToken, InvalidServiceToken, ServiceTokenNotFound } from '../errors.ts';
import { adminActor, serviceTokenActor, type AuditLog } from '../observability/audit.ts';
import { recordUse, type ServiceTokenPrincipal, type TokenCheck, type AdminOrServiceTokenPrincipal } from './authenticate.ts';
import type { RevokeWithAdminBody, RevokeWithTokenBody } from './bodies.ts';
import type { TokenState } from './token.store.ts';

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
 * Bearer) every token in grace. Revoked tokens stay as tombstones (dead from now), so presenting
 * one later says "expired", and every later write starts from a set without them: a concurrent
 * create, rotation or use-recording can never make them valid again. Audited as
 * `service_token.revoked`. Returns the revoked ids.
 */
export async function revokeServiceTokens(
  deps: TokenCheck & { readonly audit: Pick<AuditLog, 'record'> },
  principal: AdminOrServiceTokenPrincipal,
  body: RevokeWithAdminBody | RevokeWithTokenBody,
): Promise<string[]> {
  let state = principal.state;
  for (let tries = 1; ; tries++) {
    const now = deps.clock.now();
    const decision =
      principal.form === 'admin' ? revokeById(state, (body as RevokeWithAdminBody).id, now) : revokeGrace(state, principal.digest, now);
    if ('nothingInGrace' in decision) {
      // Nothing to write: the set stays as it is (no revision bump to fail a concurrent rotation).
      await recordUse(deps, decision.nothingInGrace, now);
      return [];
    }
    const { tokens, revoked } = decision;
    // A retried write whose first attempt had landed finds none of them valid any more.
    const landed = (set: KeySet) => !revoked.some((id) => isValid(set, id, deps.clock.now()));
    if (await deps.serviceTokens.write(state.companyId, state.revision, tokens, landed)) {
      // Form b was checked to be the current token (revokeGrace): the actor is that token.
      const actor = principal.form === 'admin' ? adminActor(principal.adminId) : serviceTokenActor(state.tokens.active[0]?.id);
      deps.audit.record('service_token.revoked', { outcome: 'success', actor, companyId: state.companyId, tokenIds: revoked });
      return revoked;
    }
    if (tries >= MAX_REVOCATION_TRIES) throw new Error(`revocation lost ${tries} races in a row`);
    const fresh = await deps.serviceTokens.read();
    if (!fresh) throw new AccountNotFound();
    state = fresh;
  }
}

/** Form a: the token with `id`, current or in grace. */
function revokeById(state: TokenState, id: string, now: number): { tokens: KeySet; revoked: string[] } {
  const tokens = revoke(state.tokens, id, now, SERVICE_TOKENS);
  if (!tokens) throw new ServiceTokenNotFound();
  return { tokens, revoked: [id] };
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
): { tokens: KeySet; revoked: string[] } | { nothingInGrace: ServiceTokenPrincipal } {
  const at = locate(state.tokens, digest, now);
  if (at.standing === 'unknown' || at.standing === 'dead') throw new InvalidServiceToken(401);
  if (at.standing !== 'active') throw new ExpiredServiceToken();
  const { set, ended } = endGrace(state.tokens, now, SERVICE_TOKENS);
  if (ended.length === 0) return { nothingInGrace: { state, digest, at } };
  return { tokens: markUsed(set, digest, now), revoked: ended };
}
