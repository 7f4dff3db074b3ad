import { keyDigest, newSecret } from '../credentials/secret.ts';
import { locate, rotateInto, type Key } from '../credentials/key-set.ts';
import { SERVICE_TOKENS } from '../credentials/kinds.ts';
import { ExpiredServiceToken, InvalidServiceToken } from '../errors.ts';
import { adminActor, serviceTokenActor, type AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import type { AdminOrServiceTokenPrincipal } from './authenticate.ts';
import type { RotateWithAdminBody, RotateWithTokenBody } from './bodies.ts';
import { newServiceTokenId } from './token.ts';
import type { ServiceTokenStore, TokenState } from './token.store.ts';

/**
 * The one rotate-into of service tokens, for a rotation through the API and for the published
 * token's rotation (published-rotation.ts, setSecret): the token of `digest` becomes current,
 * `outgoing` (the current token, if there is one) stays valid for `graceSeconds` in grace, and the
 * cap applies (lib/credentials/kinds.ts). One conditional write on the revision read: false when
 * another write of the set landed since `state` was read. Returns the new token's id.
 */
export async function rotateIn(
  store: ServiceTokenStore,
  state: TokenState,
  outgoing: Key | undefined,
  digest: string,
  now: number,
  graceSeconds: number,
): Promise<string | undefined> {
  const id = newServiceTokenId();
  const tokens = rotateInto(state.tokens, outgoing, { id, digest, createdAt: now }, now, graceSeconds * 1000, SERVICE_TOKENS);
  // A retried write whose first attempt had landed finds its own token current.
  const written = await store.write(state.companyId, state.revision, tokens, (set) => set.active[0]?.digest === digest);
  return written ? id : undefined;
}

/**
 * Rotates the presented token (form a: named in the body; form b: the Bearer itself): a new random
 * v4 UUID becomes current, the old one stays valid for `expireAt` seconds. One read (when the
 * caller authenticated) and one conditional write: the write only lands if the token set is
 * unchanged since that read, so of two concurrent rotations exactly one succeeds, and a token
 * revoked meanwhile is never written back.
 */
export async function rotateServiceToken(
  deps: { readonly serviceTokens: ServiceTokenStore; readonly clock: Clock; readonly audit: Pick<AuditLog, 'record'> },
  principal: AdminOrServiceTokenPrincipal,
  body: RotateWithAdminBody | RotateWithTokenBody,
): Promise<string> {
  const { form, state } = principal;
  const presentedDigest = form === 'admin' ? keyDigest((body as RotateWithAdminBody).token) : principal.digest;
  const graceSeconds = body.expireAt;
  const now = deps.clock.now();
  const at = locate(state.tokens, presentedDigest, now);
  if (at.standing === 'unknown' || (at.standing === 'dead' && form === 'service-token')) {
    throw new InvalidServiceToken(form === 'admin' ? 400 : 401);
  }
  if (at.standing !== 'active') throw new ExpiredServiceToken();

  const next = newSecret();
  // Form b authenticated with the old token: this write records that use too.
  const outgoing = form === 'service-token' ? { ...at.key, lastUsedAt: now } : at.key;
  const id = await rotateIn(deps.serviceTokens, state, outgoing, keyDigest(next), now, graceSeconds);
  // Someone rotated, replaced or revoked since our read: the presented token is no longer current.
  if (id === undefined) throw new ExpiredServiceToken();
  const actor = form === 'admin' ? adminActor(principal.adminId) : serviceTokenActor(at.key.id);
  deps.audit.record('service_token.rotated', {
    outcome: 'success', actor, companyId: state.companyId, tokenIds: [at.key.id, id], graceSeconds,
  });
  return next;
}
