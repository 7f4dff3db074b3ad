import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../runtime/clock.ts';
import type { Config } from '../runtime/config.ts';
import { readSecretString } from '../aws/secrets-manager.ts';

export const MIN_SECRET_BYTES = 32;
/** previous + current + next; a few more are accepted so that a hand-edited set still loads. */
const MAX_KEYS = 5;
const KID = /^[A-Za-z0-9_-]{1,64}$/;
/** The migrated single secret's kid starts with this; a JWT without `kid` is checked against that key only. */
export const LEGACY_KID_PREFIX = 'legacy-';

export interface SigningKey {
  readonly kid: string;
  readonly key: Uint8Array;
  /** ISO 8601; absent on the migrated single secret. */
  readonly createdAt?: string;
}

/**
 * The admin JWTs' HS256 keys, oldest first. `current` signs; every key verifies. After a rotation
 * the set is [previous, current, next]: `next` is published one rotation before it signs anything,
 * so a container still holding the older set already knows the key new JWTs carry (docs/security.md).
 */
export interface KeySet {
  readonly current: string;
  readonly keys: readonly SigningKey[];
}

/** The decoded secret, refused when it carries fewer than 256 bits. Never logged, never echoed. */
export function decodeSecret(encoded: string, origin: string): Uint8Array {
  const bytes = Buffer.from(encoded.trim(), 'base64url');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`JWT signing secret from ${origin} must hold at least ${MIN_SECRET_BYTES} bytes (base64url)`);
  }
  return new Uint8Array(bytes);
}

/**
 * The kid of a single (pre-key-set) secret: derived from the key, so that replacing the secret by
 * hand also changes the kid. 66 bits of a hash of a 256-bit key reveal nothing usable about it.
 */
export function legacyKid(key: Uint8Array): string {
  const digest = createHash('sha256').update('databrain-admin-api legacy signing key\n').update(key).digest('base64url');
  return `${LEGACY_KID_PREFIX}${digest.slice(0, 11)}`;
}

/**
 * A key set from the secret's text: the JSON key set, or a single base64url secret (what the
 * stack's Secrets Manager secret and `npm start` held before key sets), read as a set of one key.
 * Errors name the problem, never key material.
 */
export function parseKeySet(text: string, origin: string): KeySet {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    const key = decodeSecret(trimmed, origin);
    const kid = legacyKid(key);
    return { current: kid, keys: [{ kid, key }] };
  }
  const invalid = (what: string) => new Error(`JWT signing key set from ${origin} is invalid: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    throw invalid('not JSON');
  }
  const { current, keys } = (raw ?? {}) as { current?: unknown; keys?: unknown };
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) throw invalid(`"keys" must list 1 to ${MAX_KEYS} keys`);
  const parsed = keys.map((entry: unknown, index): SigningKey => {
    const { kid, k, createdAt } = (entry ?? {}) as { kid?: unknown; k?: unknown; createdAt?: unknown };
    if (typeof kid !== 'string' || !KID.test(kid)) throw invalid(`keys[${index}].kid must be 1-64 of A-Z a-z 0-9 _ -`);
    if (typeof k !== 'string') throw invalid(`keys[${index}].k must be a base64url string`);
    if (createdAt !== undefined && typeof createdAt !== 'string') throw invalid(`keys[${index}].createdAt must be a string`);
    return { kid, key: decodeSecret(k, `${origin} (kid ${kid})`), ...(createdAt !== undefined && { createdAt }) };
  });
  if (new Set(parsed.map((key) => key.kid)).size !== parsed.length) throw invalid('two keys share a kid');
  if (typeof current !== 'string' || !parsed.some((key) => key.kid === current)) throw invalid('"current" must name one of its keys');
  return { current, keys: parsed };
}

export function serializeKeySet(set: KeySet): string {
  return JSON.stringify({
    current: set.current,
    keys: set.keys.map(({ kid, key, createdAt }) => ({ kid, k: Buffer.from(key).toString('base64url'), ...(createdAt !== undefined && { createdAt }) })),
  });
}

/** A fresh key: 256 random bits, and a kid that says when it was made (and nothing about the key). */
export function newSigningKey(now: Date): SigningKey {
  const createdAt = now.toISOString();
  const kid = `${createdAt.slice(0, 10).replaceAll('-', '')}-${randomBytes(9).toString('base64url')}`;
  return { kid, key: new Uint8Array(randomBytes(32)), createdAt };
}

/** A new deployment's set: a current key, and the next one already published. */
export function newKeySet(now: Date): KeySet {
  const current = newSigningKey(now);
  return { current: current.kid, keys: [current, newSigningKey(now)] };
}

/**
 * The set after one rotation: the published next key becomes current (a fresh one when there is
 * none, as after the migration of a single secret), the old current stays as previous so that the
 * JWTs it signed keep verifying, and a fresh next key is published. Older keys are dropped: the
 * JWTs they signed expired at least one rotation interval ago (the interval is at least twice the
 * longest JWT lifetime).
 */
export function rotateKeySet(set: KeySet, now: Date): KeySet {
  const at = set.keys.findIndex((key) => key.kid === set.current);
  const previous = set.keys[at]!;
  const current = set.keys[at + 1] ?? newSigningKey(now);
  return { current: current.kid, keys: [previous, current, newSigningKey(now)] };
}

/** A set of one key, for tests and measurements that bring their own secret. */
export function singleKeySet(key: Uint8Array, kid: string): KeySet {
  return { current: kid, keys: [{ kid, key }] };
}

/** What AdminJwt needs: the key to sign with, and the key a JWT's `kid` names. */
export interface SigningKeys {
  signingKey(): Promise<SigningKey>;
  /**
   * The key for `kid`, or undefined when the set does not hold it (even after the rate-limited
   * refresh). No kid: the migrated single secret, if the set still holds it.
   */
  verificationKey(kid: string | undefined): Promise<Uint8Array | undefined>;
}

export interface KeySetCacheOptions {
  /** How long a read set is used before it is read again (default 5 minutes). */
  readonly maxAgeMs?: number;
  /** At most one read per this interval because of an unknown kid, or after a failed read (default 10 s). */
  readonly refreshIntervalMs?: number;
  /** Told about a failed re-read while an older set stays in use. */
  readonly onStaleSet?: (error: unknown) => void;
}

export const KEY_SET_MAX_AGE_MS = 5 * 60_000;
export const UNKNOWN_KID_REFRESH_MS = 10_000;

/**
 * The container's copy of the key set. It is read at the first use (not at cold start), again once
 * it is `maxAgeMs` old, and at once when a JWT names a kid the set does not hold, at most once per
 * `refreshIntervalMs` (a caller cannot make the container hammer the secret store with made-up kids).
 * Concurrent requests share one read. A failed first read is not cached (the next request tries
 * again); a failed re-read keeps the set held and is retried after `refreshIntervalMs`.
 */
export class KeySetCache implements SigningKeys {
  readonly #read: () => Promise<KeySet>;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #refreshIntervalMs: number;
  readonly #onStaleSet: (error: unknown) => void;
  #held: { set: KeySet; readAgainAt: number } | undefined;
  #reading: Promise<KeySet> | undefined;
  #lastUnknownKidRead = Number.NEGATIVE_INFINITY;

  constructor(read: () => Promise<KeySet>, clock: Clock, options: KeySetCacheOptions = {}) {
    this.#read = read;
    this.#clock = clock;
    this.#maxAgeMs = options.maxAgeMs ?? KEY_SET_MAX_AGE_MS;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? UNKNOWN_KID_REFRESH_MS;
    this.#onStaleSet = options.onStaleSet ?? (() => undefined);
  }

  async signingKey(): Promise<SigningKey> {
    const set = await this.#fresh();
    return set.keys.find((key) => key.kid === set.current)!;
  }

  async verificationKey(kid: string | undefined): Promise<Uint8Array | undefined> {
    if (kid === undefined) return (await this.#fresh()).keys.find((key) => key.kid.startsWith(LEGACY_KID_PREFIX))?.key;
    if (!KID.test(kid)) return undefined;
    const found = (set: KeySet) => set.keys.find((key) => key.kid === kid)?.key;
    const key = found(await this.#fresh());
    if (key) return key;
    if (this.#reading) return found(await this.#reading);
    const now = this.#clock.now();
    if (now - this.#lastUnknownKidRead < this.#refreshIntervalMs) return undefined;
    this.#lastUnknownKidRead = now;
    return found(await this.#reread());
  }

  #fresh(): Promise<KeySet> | KeySet {
    const held = this.#held;
    if (held && this.#clock.now() < held.readAgainAt) return held.set;
    return this.#reread();
  }

  #reread(): Promise<KeySet> {
    this.#reading ??= this.#readOnce().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readOnce(): Promise<KeySet> {
    try {
      const set = await this.#read();
      this.#held = { set, readAgainAt: this.#clock.now() + this.#maxAgeMs };
      return set;
    } catch (error) {
      const held = this.#held;
      if (!held) throw error;
      this.#onStaleSet(error);
      held.readAgainAt = this.#clock.now() + this.#refreshIntervalMs;
      return held.set;
    }
  }
}

/** Where the functions read the key set: JWT_SECRET_FILE locally, JWT_SECRET_ARN in AWS. */
export function keySetSource(config: Pick<Config, 'jwt' | 'region'>): () => Promise<KeySet> {
  const { secretFile, secretArn } = config.jwt;
  if (secretFile) return async () => parseKeySet(await readFile(secretFile, 'utf8'), 'JWT_SECRET_FILE');
  if (secretArn) return async () => parseKeySet(await readSecretString(secretArn, config.region), 'JWT_SECRET_ARN');
  // Only a function loaded with `signingKey: false` (config.ts) has neither, and it uses no JWT.
  return async () => {
    throw new Error('this function has no JWT signing key (neither JWT_SECRET_FILE nor JWT_SECRET_ARN)');
  };
}
