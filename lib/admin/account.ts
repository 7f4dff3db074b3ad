import { createHash } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../runtime/app.ts';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { AccountAlreadyExists, AuthenticationError, InvalidCredentials, ResetPasswordError, TooManyAttempts } from '../errors.ts';
import type { Account } from './account.store.ts';
import type { ResetPasswordBody, SignInBody, SignUpBody } from './bodies.ts';
import { adminActor } from '../observability/audit.ts';

/** Five failed sign-ins per email and client address in 15 minutes, then 429 until the window ends. */
export const SIGN_IN_POLICY = { maxAttempts: 5, windowMs: 15 * 60 * 1000 } as const;

/** Creates the instance's company and first admin, and signs the admin in. */
export async function createAdminAccount(app: App, body: SignUpBody): Promise<string> {
  // Cheap refusal first: argon2id is deliberately expensive, and this endpoint is unauthenticated.
  // The conditional put below is what actually guarantees a single account under concurrency.
  if (await app.accounts.get()) throw new AccountAlreadyExists();
  const account = {
    companyId: uuidv4(),
    companyName: body.companyName,
    adminId: uuidv4(),
    email: body.email,
    firstName: body.firstName,
    passwordHash: await hashPassword(body.password),
    credentialVersion: 1,
    createdAt: new Date(app.clock.now()).toISOString(),
  };
  await app.accounts.create(account);
  app.audit.record('account.created', { outcome: 'success', actor: 'anonymous', companyId: account.companyId, adminId: account.adminId });
  return app.jwt.issue(account);
}

/**
 * Signs an admin in. Unknown email and wrong password answer alike, after the same argon2id work,
 * and both count towards the lock-out, so neither the answer, its timing, nor the lock-out tells
 * an attacker which addresses have an account.
 */
export async function signIn(app: App, body: SignInBody, clientAddress: string): Promise<string> {
  // Keyed by a digest: the table holds no email or address in clear for failed attempts.
  const subject = createHash('sha256').update(`${body.email}\n${clientAddress}`).digest('base64url');
  const [reservation, account] = await Promise.all([
    app.signInAttempts.reserve(subject, app.clock.now(), SIGN_IN_POLICY),
    app.accounts.get(),
  ]);
  // For the audit trail only (never in the answer): whose account the attempt named, if anyone's.
  const named = account?.email === body.email ? { companyId: account.companyId, adminId: account.adminId } : {};
  if (!reservation.allowed) {
    app.audit.record('signin.locked', { outcome: 'failure', actor: 'anonymous', reason: 'too_many_attempts', ...named });
    throw new TooManyAttempts(Math.ceil(reservation.retryAfterMs / 1000));
  }

  const known = account !== undefined && account.email === body.email;
  const passwordMatches = await verifyPassword(body.password, known ? account.passwordHash : UNKNOWN_USER_HASH);
  if (!known || !passwordMatches) {
    app.audit.record('signin.failed', { outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', ...named });
    throw new InvalidCredentials();
  }

  await app.signInAttempts.clear(subject);
  app.audit.record('signin.succeeded', { outcome: 'success', actor: adminActor(account.adminId), ...named });
  return app.jwt.issue(account);
}

/**
 * Changes the admin's password after checking the current one. Bumping the credential version in
 * the same write revokes every admin JWT issued before, the caller's included.
 */
export async function resetPassword(app: App, account: Account, body: ResetPasswordBody): Promise<void> {
  const who = { actor: adminActor(account.adminId), companyId: account.companyId, adminId: account.adminId };
  if (!(await verifyPassword(body.currentPassword, account.passwordHash))) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'current_password_incorrect', ...who });
    throw new ResetPasswordError('The current password is not correct!');
  }
  if (body.password === body.currentPassword) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'same_password', ...who });
    throw new ResetPasswordError('The new password must be different from the current password');
  }
  const changed = await app.accounts.changePassword(account.adminId, account.credentialVersion, await hashPassword(body.password));
  // A concurrent reset got there first: the JWT this request carried has just been revoked.
  if (!changed) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'concurrent_reset', ...who });
    throw new AuthenticationError();
  }
  app.audit.record('password.reset', { outcome: 'success', ...who });
}
