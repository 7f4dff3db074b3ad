import { ServiceTokenManaged } from '../errors.ts';
import type { Config } from '../runtime/config.ts';
import type { TokenState } from './token.store.ts';

/*
 * While the stage publishes the service token in Secrets Manager (stage parameter
 * serviceTokenSecret, docs/token-management.md), the secret must always hold a token that works. A create
 * or a rotation through the API would make another token current and leave the secret stale; so
 * would revoking the current token. They are refused with 409 SERVICE_TOKEN_MANAGED (the
 * contract's code; the code says "published" for it), after
 * authentication and body validation, before anything is written. Revoking tokens in grace stays
 * allowed: the published token is the current one.
 */

type Publishing = Pick<Config, 'serviceTokenSecretArn'>;

/** Create and rotate: the secret's rotation is the only way to change the current token. */
export function refuseWhilePublished(config: Publishing): void {
  if (config.serviceTokenSecretArn !== undefined) {
    throw new ServiceTokenManaged('The service token is published in Secrets Manager and rotated there: rotate the secret instead');
  }
}

/** Revocation (form a) of the current token, which is the published one. */
export function refuseRevokingPublished(config: Publishing, state: TokenState, id: string): void {
  if (config.serviceTokenSecretArn !== undefined && state.tokens.active.some((token) => token.id === id)) {
    throw new ServiceTokenManaged('The current service token is published in Secrets Manager: rotate the secret, then revoke this token');
  }
}
