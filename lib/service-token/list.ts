import { inGrace, type Key } from '../credentials/key-set.ts';
import type { Clock } from '../runtime/clock.ts';
import { tokenState, type TokenHolder } from './token.store.ts';

/** A token as the listing shows it: never its value or digest. */
export interface TokenListing {
  readonly id: string;
  readonly status: 'current' | 'grace';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
}

const iso = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : new Date(epochMs).toISOString());

const listing = (token: Key, status: TokenListing['status'], expiresAt: number | undefined): TokenListing => ({
  id: token.id,
  status,
  createdAt: new Date(token.createdAt).toISOString(),
  expiresAt: iso(expiresAt),
  lastUsedAt: iso(token.lastUsedAt),
});

/**
 * Every valid token of the company, from the account item the admin's authentication read: the
 * current one first, then those in grace by expiry, latest first.
 */
export function listServiceTokens(deps: { readonly clock: Clock }, account: TokenHolder): TokenListing[] {
  const { tokens } = tokenState(account);
  return [
    ...tokens.active.map((token) => listing(token, 'current', undefined)),
    ...inGrace(tokens, deps.clock.now()).map((token) => listing(token, 'grace', token.expiresAt)),
  ];
}
