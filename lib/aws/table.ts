/**
 * The keys of the single table's items. Every item lives under its own partition key, and each
 * invariant lives in one item, so every write is one conditional write (no transactions):
 * - `ACCOUNT`: the company, its admin and its service tokens (one per instance);
 * - `SIGNIN#<digest>`: failed sign-ins of one (email, client address);
 * - `SIGNIN#EMAIL#<digest>`: failed sign-ins of one email, whatever address each came from;
 * - `RESET#<adminId>`: wrong current passwords given to the password reset by one admin.
 * The attempt counters expire through TTL on `expiresAt` (clean-up only; lib/admin/attempts.store.ts).
 */
export const ACCOUNT_KEY = { pk: 'ACCOUNT' } as const;

export const SIGN_IN_KEY_PREFIX = 'SIGNIN#';
/** Under SIGN_IN_KEY_PREFIX; a digest (base64url) never contains `#`, so the two kinds cannot meet. */
export const SIGN_IN_EMAIL_SUBJECT_PREFIX = 'EMAIL#';
export const RESET_PASSWORD_KEY_PREFIX = 'RESET#';
