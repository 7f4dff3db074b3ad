import { keyDigest } from '../credentials/secret.ts';
import { adminActor, type AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import { newServiceTokenId } from './token.ts';
import type { ServiceTokenStore } from './token.store.ts';

/**
 * Upsert of the company's service token: afterwards the submitted token is the only valid one.
 * `token` arrives canonical (validation lower-cases and hyphenates it); only its digest is stored.
 * Every create that writes gives the token a fresh id, even when its value was current already:
 * an id once revoked can then never name a valid token again, whatever the interleaving.
 */
export async function createServiceToken(
  deps: { readonly serviceTokens: ServiceTokenStore; readonly clock: Clock; readonly audit: Pick<AuditLog, 'record'> },
  admin: { readonly companyId: string; readonly adminId: string },
  token: string,
): Promise<string> {
  const id = newServiceTokenId();
  await deps.serviceTokens.replace(admin.companyId, { id, digest: keyDigest(token), createdAt: deps.clock.now() });
  deps.audit.record('service_token.created', { outcome: 'success', actor: adminActor(admin.adminId), companyId: admin.companyId, tokenIds: [id] });
  return token;
}
