import { AccountNotFound, AuthenticationError } from '../errors.ts';
import type { Account, AccountStore } from './account.store.ts';
import type { AdminJwt } from './jwt.ts';

/**
 * An admin JWT is accepted only while the admin it names still holds the credential version it
 * was issued for: a password reset bumps the version and so revokes every earlier JWT
 * (reset-password.ts). Returns the account, read strongly consistent, for the operation to use.
 */
export async function authenticateAdmin(
  deps: { readonly jwt: Pick<AdminJwt, 'verify'>; readonly accounts: AccountStore },
  bearer: string | undefined,
): Promise<Account> {
  if (bearer === undefined) throw new AuthenticationError();
  const claims = await deps.jwt.verify(bearer);
  const account = await deps.accounts.get();
  if (account === undefined || account.companyId !== claims.companyId) throw new AccountNotFound();
  if (account.adminId !== claims.adminId || account.credentialVersion !== claims.credentialVersion) {
    throw new AuthenticationError();
  }
  return account;
}
