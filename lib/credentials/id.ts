import { hash, randomUUID } from 'node:crypto';

/**
 * Key ids: the kind's prefix (`st_`, `dak_`: kinds.ts) and 16 characters of lower-case base32
 * (RFC 4648 alphabet), 80 bits. An id names a key in listings, introspection, revocation and the
 * audit trail; it is not a credential and reveals nothing of the key or its digest.
 * - A key made or rotated in gets 80 random bits: the first 20 of the 30 wholly random hex digits
 *   of a `crypto.randomUUID()` (all but the version digit, the 13th, and the variant digit, the
 *   17th). Node draws those from a buffer it refills 128 UUIDs at a time, where `randomBytes(10)`
 *   would call into the OpenSSL generator for every id (docs/performance.md).
 * - A key stored before ids existed gets one derived from a seed naming it (derivedKeyId): the same
 *   id on every read and in every container, until the next write stores it. Deriving it is
 *   one-way (SHA-256, first 80 bits).
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

export function newKeyId(prefix: string): string {
  const hex = randomUUID().replaceAll('-', '');
  // Without the version digit (index 12) and the variant digit (index 16).
  const random = hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17, 17 + 2 * ID_BYTES - 15);
  return `${prefix}${base32(Buffer.from(random, 'hex'))}`;
}

/** The id of a key stored without one: the first 80 bits of SHA-256 of `seed`. */
export function derivedKeyId(prefix: string, seed: string): string {
  return `${prefix}${base32(hash('sha256', seed, 'buffer').subarray(0, ID_BYTES))}`;
}

/** What an id of the kind with `prefix` looks like. */
export const keyIdPattern = (prefix: string): RegExp => new RegExp(`^${prefix}[a-z2-7]{16}$`);
