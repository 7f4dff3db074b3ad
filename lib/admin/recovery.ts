import { AccountNotFound } from '../errors.ts';
import type { AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Account, AccountStore } from './account.store.ts';
import type { RecoverBody } from './bodies.ts';
import { hashPassword } from './password.ts';

/*
 * The operator's way back in when the admin password is forgotten (docs/operations.md, "Recovering
 * admin access"): the function recoverAdminAccess, which no route reaches, served as an `operator`
 * route (lib/wiring/routes.ts: a direct invocation only). Whoever may invoke it
 * (`lambda:InvokeFunction`, an IAM permission of the stack's account) administers the stack anyway.
 */

export interface RecoveryDeps {
  readonly accounts: AccountStore;
  readonly clock: Clock;
  readonly audit: Pick<AuditLog, 'record'>;
}

/** Rounds of read-then-write when a password reset lands between them. */
const MAX_ROUNDS = 3;

/**
 * Sets a new admin password. In the same conditional write as the password: the credential
 * version moves on (every admin JWT issued before gets 401) and `recoveredAt` is recorded, after
 * which the sign-in and reset lock-outs disregard the failures counted before it (forgivenSince).
 * Clearing them by time rather than by deleting items: the per-address sign-in counters are keyed
 * by digests of (email, client address), which nothing can list without a Scan.
 * Answers the admin's email, for the operator to sign in with.
 */
export async function recoverAdminAccess(deps: RecoveryDeps, body: RecoverBody): Promise<string> {
  let account = await deps.accounts.get();
  if (account === undefined) throw new AccountNotFound();
  const passwordHash = await hashPassword(body.password);
  const recoveredAt = new Date(deps.clock.now()).toISOString();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await deps.accounts.changePassword(account.adminId, account.credentialVersion, passwordHash, recoveredAt)) {
      deps.audit.record('password.recovered', { outcome: 'success', actor: 'operator', companyId: account.companyId, adminId: account.adminId });
      return account.email;
    }
    // A password reset got there first: the recovery still wins, from the version it left.
    account = await deps.accounts.get();
    if (account === undefined) throw new AccountNotFound();
  }
  throw new Error('admin access recovery did not settle: the credentials kept changing');
}

/**
 * The start of the admin's forgiven past, for an attempt counter whose windows last `windowMs`:
 * the last recovery's time while a window that began before it may still be running, else none
 * (every such window has ended by itself).
 */
export function forgivenSince(account: Pick<Account, 'recoveredAt'>, now: number, windowMs: number): number | undefined {
  if (account.recoveredAt === undefined) return undefined;
  const recovered = Date.parse(account.recoveredAt);
  return now - windowMs < recovered ? recovered : undefined;
}
