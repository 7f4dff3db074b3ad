import type { App } from './app.ts';
import { tokenDigest } from './auth/service-token.ts';
import type { Account } from './store/accounts.ts';

/**
 * Upsert of the company's service token: afterwards the submitted token is the only valid one.
 * `token` arrives canonical (validation lower-cases and hyphenates it); only its digest is stored.
 */
export async function createServiceToken(app: App, account: Account, token: string): Promise<string> {
  await app.serviceTokens.replace(account.companyId, tokenDigest(token), app.clock.now());
  return token;
}
