import type { App } from '../runtime/app.ts';
import type { Account } from './account.store.ts';
import { AccountNotFound, AuthenticationError } from '../errors.ts';

/**
 * An admin JWT is accepted only while the admin it names still holds the credential version it
 * was issued for: a password reset bumps the version and so revokes every earlier JWT.
 * Returns the account, read strongly consistent, for the operation to use.
 */
export async function authenticateAdmin(app: App, bearer: string | undefined): Promise<Account> {
  if (bearer === undefined) throw new AuthenticationError();
  const claims = await app.jwt.verify(bearer);
  const account = await app.accounts.get();
  if (account === undefined || account.companyId !== claims.companyId) throw new AccountNotFound();
  if (account.adminId !== claims.adminId || account.credentialVersion !== claims.credentialVersion) {
    throw new AuthenticationError();
  }
  return account;
}
