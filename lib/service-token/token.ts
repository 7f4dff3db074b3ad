import { createHash, timingSafeEqual } from 'node:crypto';

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
