import { hash, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * A key's secret value: a random v4 UUID (122 random bits), shown to its holder and never stored.
 * The table keeps only its SHA-256 digest: with 122 random bits an unsalted fast hash is enough
 * (there is nothing to brute-force), and a leaked table does not leak a usable credential.
 */

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `{A1B2...}`, `A1B2...` without hyphens, or colons: all spell the same key. */
export function canonicalUuid(spelling: string): string {
  if (CANONICAL.test(spelling)) return spelling;
  const hex = spelling.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// Any common spelling of a UUID. JWTs never match (they contain dots), which is how a route that
// takes either a key or an admin JWT as Bearer tells the two apart.
const UUID_SPELLING = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

export const looksLikeUuid = (bearer: string): boolean => UUID_SPELLING.test(bearer);

/** A fresh secret made by the server: a random v4 UUID, canonical. */
export const newSecret = (): string => randomUUID();

// crypto.hash, one shot: no Hash object per digest (this runs on every key-checking request).
export function keyDigest(canonicalSecret: string): string {
  return hash('sha256', canonicalSecret, 'base64url');
}

export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
