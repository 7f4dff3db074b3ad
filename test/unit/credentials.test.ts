import { createHash } from 'node:crypto';
import {
  EMPTY_KEY_SET,
  endGrace,
  hasRoom,
  inGrace,
  isValid,
  locate,
  markUsed,
  revoke,
  rotateInto,
  standingOf,
  withinCap,
  type Key,
  type KeySet,
  type Retired,
} from '../../lib/credentials/key-set.ts';
import { DATA_APP_KEYS, SERVICE_TOKENS, type KeyKind } from '../../lib/credentials/kinds.ts';
import { LAST_USED_PRECISION_MS, useIsStale } from '../../lib/credentials/last-used.ts';
import { derivedKeyId, keyIdPattern, newKeyId } from '../../lib/credentials/id.ts';
import { canonicalUuid, digestsEqual, keyDigest, looksLikeUuid, newSecret } from '../../lib/credentials/secret.ts';

/*
 * The credential engine's rules, on key sets built by hand: no database, no HTTP. The stores and
 * routes that use them are tested against the real engines (test/integration/).
 */
const NOW = 1_800_000_000_000;
const SECOND = 1000;
const key = (n: number, extra: Partial<Key> = {}): Key => ({ id: `k${n}`, digest: `d${n}`, createdAt: NOW - 1000 * SECOND, ...extra });
const retired = (n: number, expiresAt: number): Retired => ({ ...key(n), expiresAt });
const ids = (keys: readonly Key[]) => keys.map((k) => k.id);

describe('where a key stands', () => {
  it('is active without an end, in grace before its end, and dead from its end on', () => {
    expect(standingOf(key(1), NOW)).toBe('active');
    expect(standingOf(retired(1, NOW + 1), NOW)).toBe('grace');
    expect(standingOf(retired(1, NOW), NOW)).toBe('dead');
    expect(standingOf(retired(1, NOW - 1), NOW)).toBe('dead');
  });

  it('is found in a set by its digest, with its place', () => {
    const set: KeySet = { active: [key(1)], retired: [retired(2, NOW + SECOND), retired(3, NOW - SECOND)] };
    expect(locate(set, 'd1', NOW)).toStrictEqual({ standing: 'active', key: key(1), index: 0 });
    expect(locate(set, 'd2', NOW)).toStrictEqual({ standing: 'grace', key: retired(2, NOW + SECOND), index: 0 });
    expect(locate(set, 'd3', NOW)).toStrictEqual({ standing: 'dead' });
    expect(locate(set, 'd4', NOW)).toStrictEqual({ standing: 'unknown' });
    expect(locate(EMPTY_KEY_SET, 'd1', NOW)).toStrictEqual({ standing: 'unknown' });
    // The same key a second later: its grace is over.
    expect(locate(set, 'd2', NOW + SECOND)).toStrictEqual({ standing: 'dead' });
  });

  it('is valid by id while active or in grace', () => {
    const set: KeySet = { active: [key(1)], retired: [retired(2, NOW + 1), retired(3, NOW)] };
    expect(['k1', 'k2', 'k3', 'k4'].map((id) => isValid(set, id, NOW))).toStrictEqual([true, true, false, false]);
  });
});

describe('rotate-into', () => {
  it('makes the fresh key active and keeps the outgoing one valid for its grace window, with what the caller changed on it', () => {
    const set: KeySet = { active: [key(1)], retired: [] };
    const outgoing = { ...key(1), lastUsedAt: NOW };
    const next = rotateInto(set, outgoing, key(2), NOW, 60 * SECOND, SERVICE_TOKENS);
    expect(next).toStrictEqual({ active: [key(2)], retired: [{ ...outgoing, expiresAt: NOW + 60 * SECOND }] });
    expect(locate(next, 'd1', NOW + 60 * SECOND - 1).standing).toBe('grace');
    expect(locate(next, 'd1', NOW + 60 * SECOND).standing).toBe('dead');
    // A grace of 0 ends the old key at once (it stays as a tombstone).
    expect(locate(rotateInto(set, key(1), key(2), NOW, 0, SERVICE_TOKENS), 'd1', NOW).standing).toBe('dead');
  });

  it('with no key to rotate out, only adds the fresh one', () => {
    expect(rotateInto(EMPTY_KEY_SET as KeySet, undefined, key(1), NOW, 60 * SECOND, SERVICE_TOKENS)).toStrictEqual({ active: [key(1)], retired: [] });
  });

  it('leaves the other active keys of a kind that has several', () => {
    const set: KeySet = { active: [key(1), key(2), key(3)], retired: [] };
    const next = rotateInto(set, key(2), key(4), NOW, 60 * SECOND, DATA_APP_KEYS);
    expect(ids(next.active)).toStrictEqual(['k1', 'k3', 'k4']);
    expect(ids(next.retired)).toStrictEqual(['k2']);
  });
});

describe('the cap', () => {
  it('keeps 10 service tokens valid at most: the one in grace closest to its end is ended first', () => {
    // Current k0, and 9 in grace, k1 ending soonest.
    const grace = Array.from({ length: 9 }, (_, i) => retired(i + 1, NOW + (i + 1) * SECOND));
    const set: KeySet = { active: [key(0)], retired: grace };
    const next = rotateInto(set, key(0), key(10), NOW, 3600 * SECOND, SERVICE_TOKENS);
    const valid = [...next.active, ...inGrace(next, NOW)];
    expect(valid).toHaveLength(SERVICE_TOKENS.maxValid);
    expect(ids(valid)).toStrictEqual(['k10', 'k0', 'k9', 'k8', 'k7', 'k6', 'k5', 'k4', 'k3', 'k2']);
    // k1 is dead from now on, kept as a tombstone: presenting it says "expired", not "unknown".
    expect(locate(next, 'd1', NOW)).toStrictEqual({ standing: 'dead' });
  });

  it('counts active keys and keys in grace together: 50 Data App keys per app', () => {
    const active = Array.from({ length: 40 }, (_, i) => key(i));
    const grace = Array.from({ length: 10 }, (_, i) => retired(100 + i, NOW + (i + 1) * SECOND));
    const set: KeySet = { active, retired: grace };
    expect(hasRoom(set, NOW, DATA_APP_KEYS)).toBe(false);
    // Once the first one in grace has ended, there is room for one more.
    expect(hasRoom(set, NOW + SECOND, DATA_APP_KEYS)).toBe(true);
    // A rotation at the cap ends the key in grace closest to its end.
    const next = rotateInto(set, key(0), key(200), NOW, 3600 * SECOND, DATA_APP_KEYS);
    expect(next.active.length + inGrace(next, NOW).length).toBe(50);
    expect(isValid(next, 'k100', NOW)).toBe(false);
    expect(isValid(next, 'k0', NOW)).toBe(true);
  });

  it('keeps the most recently ended keys as tombstones, as many as the kind keeps', () => {
    const kind: KeyKind = { idPrefix: 'x_', maxValid: 3, deadKept: 2 };
    const list = [retired(1, NOW - 3 * SECOND), retired(2, NOW - SECOND), retired(3, NOW + SECOND), retired(4, NOW - 2 * SECOND)];
    expect(ids(withinCap(list, 1, NOW, kind))).toStrictEqual(['k3', 'k2', 'k4']);
    // Pushed out by the cap: ended now, so the first of the tombstones.
    expect(withinCap([retired(5, NOW + SECOND), ...list], 2, NOW, kind)).toStrictEqual([retired(5, NOW + SECOND), retired(3, NOW), retired(2, NOW - SECOND)]);
    expect(withinCap(list, 1, NOW, DATA_APP_KEYS).map((k) => k.id)).toStrictEqual(['k3']);
  });
});

describe('revocation', () => {
  const set: KeySet = { active: [key(1)], retired: [retired(2, NOW + SECOND), retired(3, NOW + 2 * SECOND), retired(4, NOW - SECOND)] };

  it('ends an active key now, leaving no active key, and keeps it as a tombstone', () => {
    const next = revoke(set, 'k1', NOW, SERVICE_TOKENS)!;
    expect(next.active).toStrictEqual([]);
    expect(locate(next, 'd1', NOW)).toStrictEqual({ standing: 'dead' });
    expect(ids(inGrace(next, NOW))).toStrictEqual(['k3', 'k2']);
  });

  it('ends a key in grace now and leaves the others as they were', () => {
    const next = revoke(set, 'k2', NOW, SERVICE_TOKENS)!;
    expect(next.active).toStrictEqual([key(1)]);
    expect(ids(inGrace(next, NOW))).toStrictEqual(['k3']);
    expect(next.retired.find((k) => k.id === 'k2')!.expiresAt).toBe(NOW);
  });

  it('finds nothing to revoke for an unknown, dead or already revoked id', () => {
    expect(revoke(set, 'k9', NOW, SERVICE_TOKENS)).toBeUndefined();
    expect(revoke(set, 'k4', NOW, SERVICE_TOKENS)).toBeUndefined();
    expect(revoke(revoke(set, 'k2', NOW, SERVICE_TOKENS)!, 'k2', NOW, SERVICE_TOKENS)).toBeUndefined();
  });

  it('ends every key in grace at once, and names them', () => {
    const { set: next, ended } = endGrace(set, NOW, SERVICE_TOKENS);
    expect(ended).toStrictEqual(['k2', 'k3']);
    expect(next.active).toStrictEqual([key(1)]);
    expect(inGrace(next, NOW)).toStrictEqual([]);
    expect(endGrace(next, NOW, SERVICE_TOKENS).ended).toStrictEqual([]);
  });

  it('records a use on the active key of a digest, and on no other', () => {
    const used = markUsed({ active: [key(1), key(2)], retired: [] }, 'd2', NOW);
    expect(used.active).toStrictEqual([key(1), { ...key(2), lastUsedAt: NOW }]);
  });
});

describe('lastUsedAt', () => {
  it('is worth writing when never recorded, or recorded at least its precision (5 minutes) ago', () => {
    expect(LAST_USED_PRECISION_MS).toBe(5 * 60 * SECOND);
    expect(useIsStale({}, NOW)).toBe(true);
    expect(useIsStale({ lastUsedAt: NOW - LAST_USED_PRECISION_MS }, NOW)).toBe(true);
    expect(useIsStale({ lastUsedAt: NOW - LAST_USED_PRECISION_MS + 1 }, NOW)).toBe(false);
    expect(useIsStale({ lastUsedAt: NOW }, NOW)).toBe(false);
  });
});

describe('ids and secrets', () => {
  it('names each kind by its prefix and 16 random base32 characters', () => {
    expect(SERVICE_TOKENS.idPrefix).toBe('st_');
    expect(DATA_APP_KEYS.idPrefix).toBe('dak_');
    for (const { idPrefix } of [SERVICE_TOKENS, DATA_APP_KEYS]) {
      const made = Array.from({ length: 2000 }, () => newKeyId(idPrefix));
      for (const id of made) expect(id).toMatch(keyIdPattern(idPrefix));
      expect(new Set(made).size).toBe(made.length);
    }
    expect(newKeyId('dak_')).not.toMatch(keyIdPattern('st_'));
  });

  it('derives the same id from the same seed, one-way', () => {
    const seed = 'service-token-id:abc';
    expect(derivedKeyId('st_', seed)).toBe(derivedKeyId('st_', seed));
    expect(derivedKeyId('st_', seed)).toMatch(keyIdPattern('st_'));
    expect(derivedKeyId('st_', seed)).not.toBe(derivedKeyId('st_', `${seed}x`));
  });

  it('stores a secret as the SHA-256 of its canonical spelling and compares digests exactly', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(canonicalUuid(`{${secret.toUpperCase().replaceAll('-', '')}}`)).toBe(secret);
    expect(keyDigest(secret)).toBe(createHash('sha256').update(secret).digest('base64url'));
    expect(digestsEqual(keyDigest(secret), keyDigest(secret))).toBe(true);
    expect(digestsEqual(keyDigest(secret), keyDigest(newSecret()))).toBe(false);
    expect(looksLikeUuid(secret)).toBe(true);
    expect(looksLikeUuid('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
