import { hash } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../runtime/app.ts';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { AccountAlreadyExists, AuthenticationError, InvalidCredentials, ResetPasswordError, TooManyAttempts } from '../errors.ts';
import type { Account } from './account.store.ts';
import type { ResetPasswordBody, SignInBody, SignUpBody } from './bodies.ts';
import { normalizeEmail } from './email.ts';
import { SIGN_IN_EMAIL_SUBJECT_PREFIX } from '../aws/table.ts';
import { adminActor } from '../observability/audit.ts';

/** Five failed sign-ins per email and client address in 15 minutes, then 429 until the window ends. */
export const SIGN_IN_POLICY = { maxAttempts: 5, windowMs: 15 * 60 * 1000 } as const;
/**
 * And at most 50 per email in 15 minutes whatever address each claims: the client address is only
 * what the event says, and a caller that may invoke the function directly writes the event itself
 * (a new address per attempt, or someone else's). This ceiling bounds online guessing regardless.
 * Its price: a flood of failures locks the email out for everyone until its window ends.
 */
export const SIGN_IN_EMAIL_CEILING = { maxAttempts: 50, windowMs: 15 * 60 * 1000 } as const;
/** Five wrong current passwords per admin in 15 minutes, so a stolen JWT is no password oracle. */
export const RESET_PASSWORD_POLICY = { maxAttempts: 5, windowMs: 15 * 60 * 1000 } as const;

const digest = (text: string) => hash('sha256', text, 'base64url');
const seconds = (ms: number) => Math.ceil(ms / 1000);

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
  // Keyed by digests: the table holds no email or address in clear for failed attempts.
  const address = digest(`${body.email}\n${clientAddress}`);
  const email = `${SIGN_IN_EMAIL_SUBJECT_PREFIX}${digest(body.email)}`;
  const [reserved, read] = await Promise.allSettled([reserveSignIn(app, address, email), app.accounts.get()]);
  if (read.status === 'rejected') throw read.reason;
  const account = read.value;

  // body.email is normalised (bodies.ts); so is the stored one, unless it was stored before
  // normalisation existed (lower-cased and trimmed only), hence normalised here too.
  const known = account !== undefined && normalizeEmail(account.email) === body.email;
  // For the audit trail only (never in the answer): whose account the attempt named, if anyone's.
  const named = known ? { companyId: account.companyId, adminId: account.adminId } : {};
  if (reserved.status === 'rejected') {
    if (reserved.reason instanceof TooManyAttempts) {
      app.audit.record('signin.locked', { outcome: 'failure', actor: 'anonymous', reason: 'too_many_attempts', ...named });
    }
    throw reserved.reason;
  }
  const emailWindow = reserved.value;
  const passwordMatches = await verifyPassword(body.password, known ? account.passwordHash : UNKNOWN_USER_HASH);
  if (!known || !passwordMatches) {
    app.audit.record('signin.failed', { outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', ...named });
    throw new InvalidCredentials();
  }

  // Not a failure: the address forgets its failures, and the email's ceiling gets this attempt back
  // (not its earlier failures: a pipeline signing in all day must not reopen room for guessing).
  // Both settle before the answer, even when one fails: no write is left running behind a 500.
  const settled = await Promise.allSettled([app.signInAttempts.clear(address), app.signInAttempts.release(email, emailWindow)]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  app.audit.record('signin.succeeded', { outcome: 'success', actor: adminActor(account.adminId), ...named });
  return app.jwt.issue(account);
}

/**
 * Both reservations, before any password check, each one conditional write. The address's first:
 * an address locked out by its own failures is refused without touching the email's count, so
 * hammering from one address cannot eat into the ceiling. Then the email's: when the ceiling
 * refuses, the address's reservation is given back, since no password was checked. Retry-After
 * names the window that refused (after it a retry may still meet the other one's).
 * Returns the end of the email's window, for the release after a success.
 */
async function reserveSignIn(app: App, address: string, email: string): Promise<number> {
  const now = app.clock.now();
  const byAddress = await app.signInAttempts.reserve(address, now, SIGN_IN_POLICY);
  if (!byAddress.allowed) throw new TooManyAttempts(seconds(byAddress.retryAfterMs));
  const byEmail = await app.signInAttempts.reserve(email, now, SIGN_IN_EMAIL_CEILING);
  if (!byEmail.allowed) {
    await app.signInAttempts.release(address, byAddress.windowEndsAt);
    throw new TooManyAttempts(seconds(byEmail.retryAfterMs));
  }
  return byEmail.windowEndsAt;
}

/**
 * Changes the admin's password after checking the current one. Bumping the credential version in
 * the same write revokes every admin JWT issued before, the caller's included.
 */
export async function resetPassword(app: App, account: Account, body: ResetPasswordBody): Promise<void> {
  const who = { actor: adminActor(account.adminId), companyId: account.companyId, adminId: account.adminId };
  // Reserved before the check, as for sign-ins, so concurrent guesses cannot exceed the count.
  const reservation = await app.resetAttempts.reserve(account.adminId, app.clock.now(), RESET_PASSWORD_POLICY);
  if (!reservation.allowed) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'too_many_attempts', ...who });
    throw new TooManyAttempts(seconds(reservation.retryAfterMs), TooManyAttempts.RESET_PASSWORD);
  }
  if (!(await verifyPassword(body.currentPassword, account.passwordHash))) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'current_password_incorrect', ...who });
    throw new ResetPasswordError('The current password is not correct!');
  }
  // The current password is right, so this attempt is no failure: given back when the reset is
  // refused anyway, and on success the failures before it are forgotten, as a sign-in does.
  if (body.password === body.currentPassword) {
    await app.resetAttempts.release(account.adminId, reservation.windowEndsAt);
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'same_password', ...who });
    throw new ResetPasswordError('The new password must be different from the current password');
  }
  const [hash] = await Promise.all([hashPassword(body.password), app.resetAttempts.clear(account.adminId)]);
  const changed = await app.accounts.changePassword(account.adminId, account.credentialVersion, hash);
  // A concurrent reset got there first: the JWT this request carried has just been revoked.
  if (!changed) {
    app.audit.record('password.reset_failed', { outcome: 'failure', reason: 'concurrent_reset', ...who });
    throw new AuthenticationError();
  }
  app.audit.record('password.reset', { outcome: 'success', ...who });
}
