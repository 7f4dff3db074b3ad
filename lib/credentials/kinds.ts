/**
 * The kinds of key and the contract's numbers for each: the rules (key-set.ts) take a kind as a
 * parameter and never name one.
 */
export interface KeyKind {
  /** Ids of this kind start with it (id.ts). */
  readonly idPrefix: string;
  /** At most this many keys are valid at once, active and in grace together (key-set.ts, withinCap). */
  readonly maxValid: number;
  /**
   * Dead keys (past their grace, or revoked) kept as tombstones in a set that lives in one item, so
   * that presenting one answers "expired", not "unknown"; the most recently ended first.
   */
  readonly deadKept: number;
}

/** Service tokens (CONTRACT §4, §7): one current token and those in grace, at most 10 valid. */
export const SERVICE_TOKENS: KeyKind = { idPrefix: 'st_', maxValid: 10, deadKept: 10 };

/**
 * Data App API keys (CONTRACT §11): at most 50 valid keys per app, grace included. Each key lives
 * in its own item (the key authorizer reads one small item per request), so what becomes of a dead
 * key's item is its store's choice, not a tombstone list's.
 */
export const DATA_APP_KEYS: KeyKind = { idPrefix: 'dak_', maxValid: 50, deadKept: 0 };
