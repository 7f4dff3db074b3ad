import { derivedKeyId, keyIdPattern, newKeyId } from '../credentials/id.ts';
import { SERVICE_TOKENS } from '../credentials/kinds.ts';
import { looksLikeUuid } from '../credentials/secret.ts';

/**
 * What a service token is: a random v4 UUID (its value, digest and spellings are the credential
 * engine's, lib/credentials/secret.ts), named by an id `st_` + 16 base32 characters.
 */

/** A Bearer value that is a service token's spelling, not an admin JWT. */
export const looksLikeServiceToken = looksLikeUuid;

export const newServiceTokenId = (): string => newKeyId(SERVICE_TOKENS.idPrefix);

/**
 * The id of a token stored before ids existed: derived from its digest (SHA-256 of a fixed prefix
 * and the digest, first 80 bits), the same on every read, until the next write of the set stores
 * it. The digest itself is SHA-256 of a value with 122 random bits.
 */
export const legacyTokenId = (digest: string): string => derivedKeyId(SERVICE_TOKENS.idPrefix, `service-token-id:${digest}`);

export const TOKEN_ID = keyIdPattern(SERVICE_TOKENS.idPrefix);

/*
 * A v4-shaped value whose random part is plainly not random (`00000000-0000-4000-8000-000000000000`,
 * a counting or repeated pattern) is refused like any invalid token: whoever chose it by hand chose
 * a guessable credential. The rule, on the 30 hex digits of a v4 UUID that are wholly random (all
 * but the version digit, the 13th, and the variant digit, the 17th, which carries only 2 random bits):
 *
 *   refused when those 30 digits take at most 5 distinct values, or when the 29 steps between
 *   consecutive digits (each the difference mod 16) take at most 5 distinct values.
 *
 * The second half catches runs like 0123…, fedc… and 1234…1234. Chance of refusing a real random
 * UUID: n independent uniform hex digits take at most k distinct values with probability
 *   P(n, k) = Σ_{j=1..k} C(16, j) · j! · S(n, j) / 16^n   (S: Stirling numbers of the second kind).
 * The 29 steps of 30 independent uniform digits are themselves independent and uniform (digits ↔
 * first digit + steps is a bijection), so:
 *   digits: P(30, 5) = 3.043 × 10⁻¹²;  steps: P(29, 5) = 9.724 × 10⁻¹²;
 *   either (union bound): ≤ 1.277 × 10⁻¹¹, about one in 78 billion random tokens.
 * test/unit/service-token.test.ts recomputes these exactly.
 */
export const PLAIN_MAX_DISTINCT = 5;
export const FALSE_REFUSAL_BOUND = 1.277e-11;

/** `canonicalToken`: a canonical v4 UUID (lowercase, hyphenated). */
export function plainlyNotRandom(canonicalToken: string): boolean {
  // Bit sets of the values and steps seen (on every request that names a token: no arrays, no Sets).
  let values = 0;
  let steps = 0;
  let previous = -1;
  let position = 0;
  for (let i = 0; i < canonicalToken.length; i++) {
    const code = canonicalToken.charCodeAt(i);
    if (code === 45) continue; // '-'
    const digit = code <= 57 ? code - 48 : code - 87; // '0'-'9', 'a'-'f'
    if (position !== 12 && position !== 16) {
      values |= 1 << digit;
      if (previous >= 0) steps |= 1 << ((digit - previous + 16) % 16);
      previous = digit;
    }
    position++;
  }
  return distinct(values) <= PLAIN_MAX_DISTINCT || distinct(steps) <= PLAIN_MAX_DISTINCT;
}

/** How many of the 16 bits are set. */
function distinct(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}
