import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Service tokens are random v4 UUIDs. The table keeps only their SHA-256 digests: a UUID v4 has
 * 122 random bits, so an unsalted fast hash is enough (there is nothing to brute-force), and a
 * leaked table does not leak a usable credential.
 */

/** `{A1B2...}`, `A1B2...` without hyphens, or colons: all spell the same token. */
export function canonicalUuid(spelling: string): string {
  const hex = spelling.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function tokenDigest(canonicalToken: string): string {
  return createHash('sha256').update(canonicalToken, 'utf8').digest('base64url');
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
 * Token ids: `st_` + 16 characters of lower-case base32 (RFC 4648 alphabet), 80 bits. An id names
 * a token in listings, introspection and revocation; it is not a credential and reveals nothing of
 * the token or its digest.
 * - A token created or rotated in gets 80 random bits.
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

export const newTokenId = (): string => `st_${base32(randomBytes(ID_BYTES))}`;

export const legacyTokenId = (digest: string): string =>
  `st_${base32(createHash('sha256').update(`service-token-id:${digest}`, 'utf8').digest().subarray(0, ID_BYTES))}`;

export const TOKEN_ID = /^st_[a-z2-7]{16}$/;
