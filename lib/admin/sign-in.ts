import { hash } from 'node:crypto';
import { InvalidCredentials, TooManyAttempts } from '../errors.ts';
import { adminActor, type AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import { SIGN_IN_EMAIL_SUBJECT_PREFIX } from '../aws/table.ts';
import type { AccountStore } from './account.store.ts';
import { retryAfterSeconds, SIGN_IN_EMAIL_CEILING, SIGN_IN_POLICY, type AttemptStore } from './attempts.store.ts';
import type { SignInBody } from './bodies.ts';
import { normalizeEmail } from './email.ts';
import type { AdminJwt } from './jwt.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { forgivenSince } from './recovery.ts';

export interface SignInDeps {
  readonly accounts: AccountStore;
  /** Failed sign-ins, per (email, client address) and per email. */
  readonly signInAttempts: AttemptStore;
  readonly jwt: Pick<AdminJwt, 'issue'>;
  readonly clock: Clock;
  readonly audit: Pick<AuditLog, 'record'>;
}

const digest = (text: string) => hash('sha256', text, 'base64url');
const settle = async <T>(work: Promise<T>): Promise<PromiseSettledResult<T>> => (await Promise.allSettled([work]))[0]!;
/** The longer of sign-in's two windows: how long after a recovery a lock-out may predate it. */
const SIGN_IN_WINDOW_MS = Math.max(SIGN_IN_POLICY.windowMs, SIGN_IN_EMAIL_CEILING.windowMs);

/**
 * Signs an admin in. Unknown email and wrong password answer alike, after the same argon2id work,
 * and both count towards the lock-out, so neither the answer, its timing, nor the lock-out tells
 * an attacker which addresses have an account.
 */
export async function signIn(deps: SignInDeps, body: SignInBody, clientAddress: string): Promise<string> {
  // Keyed by digests: the table holds no email or address in clear for failed attempts.
  const address = digest(`${body.email}\n${clientAddress}`);
  const email = `${SIGN_IN_EMAIL_SUBJECT_PREFIX}${digest(body.email)}`;
  const [reserved, read] = await Promise.allSettled([reserveSignIn(deps, address, email), deps.accounts.get()]);
  if (read.status === 'rejected') throw read.reason;
  const account = read.value;

  // body.email is normalised (bodies.ts); so is the stored one, unless it was stored before
  // normalisation existed (lower-cased and trimmed only), hence normalised here too.
  const known = account !== undefined && normalizeEmail(account.email) === body.email;
  // For the audit trail only (never in the answer): whose account the attempt named, if anyone's.
  const named = known ? { companyId: account.companyId, adminId: account.adminId } : {};
  // Failures counted before the operator's last recovery lock the admin out no more (recovery.ts):
  // a refusal within a window of it is retried with the windows that began before it ended. Only
  // then, so an ordinary sign-in pays for nothing.
  const forgiven = known && reserved.status === 'rejected' && reserved.reason instanceof TooManyAttempts
    ? forgivenSince(account, deps.clock.now(), SIGN_IN_WINDOW_MS)
    : undefined;
  const reservation = forgiven === undefined ? reserved : await settle(reserveSignIn(deps, address, email, forgiven));
  if (reservation.status === 'rejected') {
    if (reservation.reason instanceof TooManyAttempts) {
      deps.audit.record('signin.locked', { outcome: 'failure', actor: 'anonymous', reason: 'too_many_attempts', ...named });
    }
    throw reservation.reason;
  }
  const emailWindow = reservation.value;
  const passwordMatches = await verifyPassword(body.password, known ? account.passwordHash : UNKNOWN_USER_HASH);
  if (!known || !passwordMatches) {
    deps.audit.record('signin.failed', { outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', ...named });
    throw new InvalidCredentials();
  }

  // Not a failure: the address forgets its failures, and the email's ceiling gets this attempt back
  // (not its earlier failures: a pipeline signing in all day must not reopen room for guessing).
  // Both settle before the answer, even when one fails: no write is left running behind a 500.
  const settled = await Promise.allSettled([deps.signInAttempts.clear(address), deps.signInAttempts.release(email, emailWindow)]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  deps.audit.record('signin.succeeded', { outcome: 'success', actor: adminActor(account.adminId), ...named });
  return deps.jwt.issue(account);
}

/**
 * Both reservations, before any password check, each one conditional write. The address's first:
 * an address locked out by its own failures is refused without touching the email's count, so
 * hammering from one address cannot eat into the ceiling. Then the email's: when the ceiling
 * refuses, the address's reservation is given back, since no password was checked. Retry-After
 * names the window that refused (after it a retry may still meet the other one's).
 * Returns the end of the email's window, for the release after a success.
 */
async function reserveSignIn(deps: SignInDeps, address: string, email: string, notBefore?: number): Promise<number> {
  const now = deps.clock.now();
  const byAddress = await deps.signInAttempts.reserve(address, now, SIGN_IN_POLICY, notBefore);
  if (!byAddress.allowed) throw new TooManyAttempts(retryAfterSeconds(byAddress));
  const byEmail = await deps.signInAttempts.reserve(email, now, SIGN_IN_EMAIL_CEILING, notBefore);
  if (!byEmail.allowed) {
    await deps.signInAttempts.release(address, byAddress.windowEndsAt);
    throw new TooManyAttempts(retryAfterSeconds(byEmail));
  }
  return byEmail.windowEndsAt;
}
