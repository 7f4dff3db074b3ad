import { argon2, randomFillSync, timingSafeEqual, type Argon2Parameters } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Passwords are hashed with argon2id from node:crypto (Node 24, no native add-on) at OWASP's
 * minimum (m = 19 MiB, t = 2, p = 1), a random 16-byte salt, and stored as a PHC string so the
 * parameters travel with the hash and can be raised later without breaking existing accounts.
 */
const argon2Async = promisify(argon2);

export interface Argon2Cost {
  readonly memoryKiB: number;
  readonly passes: number;
  readonly parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Cost = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

const TAG_BYTES = 32;
const SALT_BYTES = 16;

// Bounds on what a stored hash may ask of us: at least OWASP's cost, at most what a 1 GiB
// function can afford. A tampered item cannot make a sign-in take minutes or gigabytes.
const MAX_MEMORY_KIB = 262_144;
const MAX_PASSES = 10;
const MAX_PARALLELISM = 4;

/**
 * Salts are drawn from a buffer of CSPRNG output refilled SALTS_PER_FILL at a time, as Node does
 * for crypto.randomUUID(): `randomBytes(16)` per hash calls into the OpenSSL generator each time,
 * which showed in a sign-up's warm CPU (docs/performance.md). Each salt is a copy of bytes used once.
 */
const SALTS_PER_FILL = 256;
const saltPool = Buffer.alloc(SALT_BYTES * SALTS_PER_FILL);
let saltOffset = saltPool.length;

export function newSalt(): Buffer {
  if (saltOffset === saltPool.length) {
    randomFillSync(saltPool);
    saltOffset = 0;
  }
  const salt = Buffer.from(saltPool.subarray(saltOffset, saltOffset + SALT_BYTES));
  saltOffset += SALT_BYTES;
  return salt;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

async function derive(password: string, salt: Uint8Array, cost: Argon2Cost, tagLength: number): Promise<Buffer> {
  const parameters: Argon2Parameters = {
    message: password,
    nonce: salt,
    memory: cost.memoryKiB,
    passes: cost.passes,
    parallelism: cost.parallelism,
    tagLength,
  };
  return argon2Async('argon2id', parameters);
}

export async function hashPassword(password: string, cost: Argon2Cost = OWASP_ARGON2ID): Promise<string> {
  const salt = newSalt();
  const tag = await derive(password, salt, cost, TAG_BYTES);
  return `$argon2id$v=19$m=${cost.memoryKiB},t=${cost.passes},p=${cost.parallelism}$${b64(salt)}$${b64(tag)}`;
}

interface ParsedHash {
  readonly cost: Argon2Cost;
  readonly salt: Buffer;
  readonly tag: Buffer;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

function parsePhc(phc: string): ParsedHash | undefined {
  const match = PHC.exec(phc);
  if (!match) return undefined;
  const [, m, t, p, salt, tag] = match;
  const cost = { memoryKiB: Number(m), passes: Number(t), parallelism: Number(p) };
  const withinBounds =
    cost.memoryKiB >= OWASP_ARGON2ID.memoryKiB && cost.memoryKiB <= MAX_MEMORY_KIB &&
    cost.passes >= OWASP_ARGON2ID.passes && cost.passes <= MAX_PASSES &&
    cost.parallelism >= 1 && cost.parallelism <= MAX_PARALLELISM;
  if (!withinBounds) return undefined;
  return { cost, salt: Buffer.from(salt!, 'base64'), tag: Buffer.from(tag!, 'base64') };
}

/** Constant-time comparison of the derived tag; false (never a throw) for a malformed hash. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (!parsed) return false;
  const tag = await derive(password, parsed.salt, parsed.cost, parsed.tag.length);
  return timingSafeEqual(tag, parsed.tag);
}

/**
 * Verified against when the email is unknown, so that an unknown address costs the same argon2id
 * work as a wrong password and response times do not reveal which admin addresses exist.
 * It is the hash of a random value nobody knows; no password matches it.
 */
export const UNKNOWN_USER_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$bZBbTcf4e5o3lIcyiKTEXA$LJyyWm9gXagUfb7vjS36wPL7y9FExWPO1Seihvjfj+k';
