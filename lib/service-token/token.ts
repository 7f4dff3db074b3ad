import { hash, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Service tokens are random v4 UUIDs. The table keeps only their SHA-256 digests: a UUID v4 has
 * 122 random bits, so an unsalted fast hash is enough (there is nothing to brute-force), and a
 * leaked table does not leak a usable credential.
 */

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `{A1B2...}`, `A1B2...` without hyphens, or colons: all spell the same token. */
export function canonicalUuid(spelling: string): string {
  if (CANONICAL.test(spelling)) return spelling;
  const hex = spelling.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// crypto.hash, one shot: no Hash object per digest (this runs on every token-checking request).
export function tokenDigest(canonicalToken: string): string {
  return hash('sha256', canonicalToken, 'base64url');
}

export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

// Any common spelling of a UUID. JWTs never match (they contain dots), which is how the rotate
// route tells its two authentication forms apart.
const UUID_SPELLING = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

export const looksLikeServiceToken = (bearer: string): boolean => UUID_SPELLING.test(bearer);

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

/**
 * Token ids: `st_` + 16 characters of lower-case base32 (RFC 4648 alphabet), 80 bits. An id names
 * a token in listings, introspection and revocation; it is not a credential and reveals nothing of
 * the token or its digest.
 * - A token created or rotated in gets 80 random bits: the first 20 of the 30 wholly random hex
 *   digits of a `crypto.randomUUID()` (see plainlyNotRandom for which those are). Node draws those
 *   from a buffer it refills 128 UUIDs at a time; `randomBytes(10)` per id cost ~40 µs of a warm
 *   rotation's CPU (~0.1× of it, `npm run bench`), a call into the OpenSSL generator each time.
 * - A token stored before ids existed gets one derived from its digest (SHA-256 of a fixed prefix
 *   and the digest, first 80 bits): the same id on every read and in every container, until the
 *   next write of the token set stores it. Deriving it is one-way (nothing of the digest can be
 *   read back from it), and the digest itself is SHA-256 of a value with 122 random bits.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_BYTES = 10;

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

export function newTokenId(): string {
  const hex = randomUUID().replaceAll('-', '');
  // Without the version digit (index 12) and the variant digit (index 16).
  const random = hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17, 17 + 2 * ID_BYTES - 15);
  return `st_${base32(Buffer.from(random, 'hex'))}`;
}

export const legacyTokenId = (digest: string): string =>
  `st_${base32(hash('sha256', `service-token-id:${digest}`, 'buffer').subarray(0, ID_BYTES))}`;

export const TOKEN_ID = /^st_[a-z2-7]{16}$/;
