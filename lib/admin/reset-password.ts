import { AuthenticationError, ResetPasswordError, TooManyAttempts } from '../errors.ts';
import { adminActor, type AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Account, AccountStore } from './account.store.ts';
import { RESET_PASSWORD_POLICY, retryAfterSeconds, type AttemptStore } from './attempts.store.ts';
import type { ResetPasswordBody } from './bodies.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { forgivenSince } from './recovery.ts';

/*
 * A password reset revokes every admin JWT issued before it, the caller's included: the write that
 * stores the new hash bumps the account's credential version (account.store.ts, changePassword),
 * and authenticate.ts accepts a JWT only while the version it carries is the account's.
 */

export interface ResetPasswordDeps {
  readonly accounts: AccountStore;
  /** Wrong current passwords given to the password reset, per admin. */
  readonly resetAttempts: AttemptStore;
  readonly clock: Clock;
  readonly audit: Pick<AuditLog, 'record'>;
}

/**
 * Changes the admin's password after checking the current one. Bumping the credential version in
 * the same write revokes every admin JWT issued before, the caller's included.
 */
export async function resetPassword(deps: ResetPasswordDeps, account: Account, body: ResetPasswordBody): Promise<void> {
  const who = { actor: adminActor(account.adminId), companyId: account.companyId, adminId: account.adminId };
  // Reserved before the check, as for sign-ins, so concurrent guesses cannot exceed the count.
  // Wrong current passwords given before the operator's last recovery count no more (recovery.ts).
  const now = deps.clock.now();
  const reservation = await deps.resetAttempts.reserve(account.adminId, now, RESET_PASSWORD_POLICY,
    forgivenSince(account, now, RESET_PASSWORD_POLICY.windowMs));
  if (!reservation.allowed) {
    deps.audit.record('password.reset_failed', { outcome: 'failure', reason: 'too_many_attempts', ...who });
    throw new TooManyAttempts(retryAfterSeconds(reservation), TooManyAttempts.RESET_PASSWORD);
  }
  if (!(await verifyPassword(body.currentPassword, account.passwordHash))) {
    deps.audit.record('password.reset_failed', { outcome: 'failure', reason: 'current_password_incorrect', ...who });
    throw new ResetPasswordError('The current password is not correct!');
  }
  // The current password is right, so this attempt is no failure: given back when the reset is
  // refused anyway, and on success the failures before it are forgotten, as a sign-in does.
  if (body.password === body.currentPassword) {
    await deps.resetAttempts.release(account.adminId, reservation.windowEndsAt);
    deps.audit.record('password.reset_failed', { outcome: 'failure', reason: 'same_password', ...who });
    throw new ResetPasswordError('The new password must be different from the current password');
  }
  const [hash] = await Promise.all([hashPassword(body.password), deps.resetAttempts.clear(account.adminId)]);
  const changed = await deps.accounts.changePassword(account.adminId, account.credentialVersion, hash);
  // A concurrent reset got there first: the JWT this request carried has just been revoked.
  if (!changed) {
    deps.audit.record('password.reset_failed', { outcome: 'failure', reason: 'concurrent_reset', ...who });
    throw new AuthenticationError();
  }
  deps.audit.record('password.reset', { outcome: 'success', ...who });
}
