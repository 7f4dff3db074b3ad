import type { Key } from './key-set.ts';

/**
 * `lastUsedAt`: when a key last authenticated a request, written at most once per key per
 * LAST_USED_PRECISION_MS, its precision. With a fresh value a request costs its one read; with a
 * stale one, one more call, a conditional write of that key's `lastUsedAt` alone, which can never
 * undo a concurrent create, rotation or revocation (each kind's store says how its condition
 * holds that). The write is awaited, bounded by RECORD_USE_TIMEOUT_MS, and never fails the request:
 * the key was valid when read, and a use time is bookkeeping, not a credential check.
 */
export const LAST_USED_PRECISION_MS = 5 * 60 * 1000;
/** The longest a request waits for its use to be recorded (attempts and back-off included). */
export const RECORD_USE_TIMEOUT_MS = 1000;

/** Whether a use at `now` is worth writing: never recorded, or recorded at least LAST_USED_PRECISION_MS ago. */
export function useIsStale(key: Pick<Key, 'lastUsedAt'>, now: number): boolean {
  return key.lastUsedAt === undefined || key.lastUsedAt <= now - LAST_USED_PRECISION_MS;
}

/** The value below which a recorded use is stale at `now`: what a store's condition compares with. */
export const staleBefore = (now: number): number => now - LAST_USED_PRECISION_MS;
