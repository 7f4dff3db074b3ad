import { digestsEqual } from './secret.ts';
import type { KeyKind } from './kinds.ts';

/*
 * The rules of a key set, whatever kind of key it holds (kinds.ts) and wherever it is stored: pure
 * functions of the set and the clock, tested without a database (test/unit/credentials.test.ts).
 * Each kind brings its store, which alone knows how a set is laid out in the table, and maps the
 * refusals below to its own errors.
 *
 * A key is, at time `now`:
 * - active: it has no end (a service token's "current", a Data App key's "active");
 * - in grace: rotated out (or pushed out) with an end still ahead, `expiresAt > now`;
 * - dead: its end has passed (rotated out long ago, or revoked: a revocation ends it at `now`).
 * Standing is always judged against the clock when the set is read, never by DynamoDB TTL.
 */

/** A key as stored: its id and its secret's digest, never the secret. Times in epoch milliseconds. */
export interface Key {
  readonly id: string;
  readonly digest: string;
  readonly createdAt: number;
  /** When it last authenticated a request (last-used.ts); absent: never, or not since this was recorded. */
  readonly lastUsedAt?: number;
}

/** A key that was active once and now has an end: in grace until `expiresAt`, dead after. */
export type Retired<K extends Key = Key> = K & { readonly expiresAt: number };

export interface KeySet<K extends Key = Key> {
  readonly active: readonly K[];
  /** In grace or dead, latest end first (withinCap keeps them so). */
  readonly retired: readonly Retired<K>[];
}

export const EMPTY_KEY_SET: KeySet<never> = Object.freeze({ active: Object.freeze([]), retired: Object.freeze([]) });

export type Standing = 'active' | 'grace' | 'dead';

/** One key on its own (a kind that stores each key in its own item reads just that one). */
export function standingOf(key: Key & { readonly expiresAt?: number | undefined }, now: number): Standing {
  if (key.expiresAt === undefined) return 'active';
  return key.expiresAt > now ? 'grace' : 'dead';
}

/** Where a presented secret's digest stands in a set; `index` is its place in `active` or `retired`. */
export type Located<K extends Key = Key> =
  | { readonly standing: 'active'; readonly key: K; readonly index: number }
  | { readonly standing: 'grace'; readonly key: Retired<K>; readonly index: number }
  | { readonly standing: 'dead' }
  | { readonly standing: 'unknown' };

/** Digests are compared in constant time. */
export function locate<K extends Key>(set: KeySet<K>, digest: string, now: number): Located<K> {
  const { active, retired } = set;
  for (let index = 0; index < active.length; index++) {
    const key = active[index]!;
    if (digestsEqual(key.digest, digest)) return { standing: 'active', key, index };
  }
  const index = retired.findIndex((key) => digestsEqual(key.digest, digest));
  const key = retired[index];
  if (!key) return { standing: 'unknown' };
  return key.expiresAt > now ? { standing: 'grace', key, index } : { standing: 'dead' };
}

export function isValid(set: KeySet, id: string, now: number): boolean {
  return set.active.some((key) => key.id === id) || set.retired.some((key) => key.id === id && key.expiresAt > now);
}

/** The keys in grace, latest end first: the order of a listing after the active keys. */
export function inGrace<K extends Key>(set: KeySet<K>, now: number): Retired<K>[] {
  return set.retired.filter((key) => key.expiresAt > now).sort((a, b) => b.expiresAt - a.expiresAt);
}

/** Whether one more active key fits under the kind's cap (a create refuses beyond it). */
export function hasRoom(set: KeySet, now: number, kind: KeyKind): boolean {
  return set.active.length + set.retired.filter((key) => key.expiresAt > now).length < kind.maxValid;
}

/**
 * The cap: at most `kind.maxValid` valid keys, the `activeCount` active ones included. The keys in
 * grace beyond it are ended now, the one closest to its end first (it was to end soonest), and the
 * most recently ended few are kept as tombstones (`kind.deadKept`). Returns the retired list, latest
 * end first.
 */
export function withinCap<K extends Key>(retired: readonly Retired<K>[], activeCount: number, now: number, kind: KeyKind): Retired<K>[] {
  const all = [...retired].sort((a, b) => b.expiresAt - a.expiresAt);
  const grace = all.filter((key) => key.expiresAt > now);
  const room = Math.max(0, kind.maxValid - activeCount);
  const pushedOut = grace.slice(room).map((key) => ({ ...key, expiresAt: now }));
  const dead = [...pushedOut, ...all.filter((key) => key.expiresAt <= now)].slice(0, kind.deadKept);
  return [...grace.slice(0, room), ...dead];
}

/**
 * Rotate-into: `fresh` becomes active, and `outgoing` (one of the set's active keys, told by its
 * digest; none when there is no active key to rotate out) stays valid for `graceMs` more, in grace.
 * Then the cap. `outgoing` may carry a change of its own (a recorded use), kept as it is given.
 */
export function rotateInto<K extends Key>(
  set: KeySet<K>,
  outgoing: K | undefined,
  fresh: K,
  now: number,
  graceMs: number,
  kind: KeyKind,
): KeySet<K> {
  const staying = outgoing ? set.active.filter((key) => key.digest !== outgoing.digest) : set.active;
  const retired = outgoing ? [{ ...outgoing, expiresAt: now + graceMs }, ...set.retired] : set.retired;
  const active = [...staying, fresh];
  return { active, retired: withinCap(retired, active.length, now, kind) };
}

/**
 * Revokes the valid key with `id`, active or in grace: it ends now, and stays as a tombstone.
 * Undefined when no valid key has that id (unknown, dead, or revoked already).
 */
export function revoke<K extends Key>(set: KeySet<K>, id: string, now: number, kind: KeyKind): KeySet<K> | undefined {
  if (!isValid(set, id, now)) return undefined;
  const ended = set.active.find((key) => key.id === id);
  if (ended) {
    const active = set.active.filter((key) => key !== ended);
    return { active, retired: withinCap([{ ...ended, expiresAt: now }, ...set.retired], active.length, now, kind) };
  }
  const retired = set.retired.map((key) => (key.id === id ? { ...key, expiresAt: now } : key));
  return { active: set.active, retired: withinCap(retired, set.active.length, now, kind) };
}

/** Ends every key in grace now (a rotation ended early); the active keys stay. `ended`: their ids. */
export function endGrace<K extends Key>(set: KeySet<K>, now: number, kind: KeyKind): { readonly set: KeySet<K>; readonly ended: string[] } {
  const ended = set.retired.filter((key) => key.expiresAt > now).map((key) => key.id);
  const retired = set.retired.map((key) => (key.expiresAt > now ? { ...key, expiresAt: now } : key));
  return { set: { active: set.active, retired: withinCap(retired, set.active.length, now, kind) }, ended };
}

/** The set with the active key of `digest` used at `now`: for a write that records the use it authenticated. */
export function markUsed<K extends Key>(set: KeySet<K>, digest: string, now: number): KeySet<K> {
  return { ...set, active: set.active.map((key) => (key.digest === digest ? { ...key, lastUsedAt: now } : key)) };
}
