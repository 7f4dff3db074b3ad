/**
 * The keys of the single table's items. Every item lives under its own partition key, and each
 * invariant lives in one item, so every write is one conditional write (no transactions):
 * - `ACCOUNT`: the company, its admin and its service tokens (one per instance);
 * - `SIGNIN#<digest>`: a failed sign-in counter (TTL clean-up on `expiresAt`).
 */
export const ACCOUNT_KEY = { pk: 'ACCOUNT' } as const;

export const SIGN_IN_KEY_PREFIX = 'SIGNIN#';
