import { randomBytes } from 'node:crypto';
import {
  KeySetCache,
  legacyKid,
  newKeySet,
  parseKeySet,
  rotateKeySet,
  serializeKeySet,
  singleKeySet,
  type KeySet,
} from '../../lib/admin/signing-key.ts';

const at = new Date(Date.UTC(2026, 10, 29, 12));
const bytes = () => new Uint8Array(randomBytes(32));
const b64 = (key: Uint8Array) => Buffer.from(key).toString('base64url');

describe('the key set in the secret', () => {
  it('reads the JSON form: current, and keys with kid, base64url k and createdAt', () => {
    const [a, b] = [bytes(), bytes()];
    const text = JSON.stringify({ current: 'b', keys: [{ kid: 'a', k: b64(a), createdAt: '2026-01-01T00:00:00.000Z' }, { kid: 'b', k: b64(b) }] });
    expect(parseKeySet(text, 'test')).toEqual({
      current: 'b',
      keys: [{ kid: 'a', key: a, createdAt: '2026-01-01T00:00:00.000Z' }, { kid: 'b', key: b }],
    });
  });

  it('reads a single base64url secret (the earlier format) as a set of one key with a kid derived from it', () => {
    const key = bytes();
    const set = parseKeySet(`${b64(key)}\n`, 'test');
    expect(set).toEqual({ current: legacyKid(key), keys: [{ kid: legacyKid(key), key }] });
    expect(legacyKid(key)).toMatch(/^legacy-[A-Za-z0-9_-]{11}$/);
    expect(legacyKid(bytes())).not.toBe(legacyKid(key));
    // What the stack's Secrets Manager secret generates: 64 alphanumerics (48 bytes).
    expect(parseKeySet('A1b2'.repeat(16), 'test').keys[0]!.key).toHaveLength(48);
  });

  it('round-trips through serializeKeySet', () => {
    const set = newKeySet(at);
    expect(parseKeySet(serializeKeySet(set), 'test')).toEqual(set);
  });

  it.each([
    ['not JSON', '{"current":', /not JSON/],
    ['no keys', '{"current":"a","keys":[]}', /"keys" must list 1 to 5 keys/],
    ['a short key', JSON.stringify({ current: 'a', keys: [{ kid: 'a', k: b64(new Uint8Array(31)) }] }), /at least 32 bytes/],
    ['a bad kid', JSON.stringify({ current: 'a b', keys: [{ kid: 'a b', k: b64(bytes()) }] }), /kid must be/],
    ['a duplicate kid', JSON.stringify({ current: 'a', keys: [{ kid: 'a', k: b64(bytes()) }, { kid: 'a', k: b64(bytes()) }] }), /share a kid/],
    ['a current that is not in the set', JSON.stringify({ current: 'b', keys: [{ kid: 'a', k: b64(bytes()) }] }), /"current" must name/],
    ['a short single secret', 'c2hvcnQ', /at least 32 bytes/],
  ])('refuses %s, naming the origin and never the key', (_name, text, message) => {
    let error: unknown;
    try {
      parseKeySet(text, 'JWT_SECRET_FILE');
    } catch (thrown) {
      error = thrown;
    }
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('JWT_SECRET_FILE');
    for (const match of text.matchAll(/"k":"([^"]+)"/g)) expect((error as Error).message).not.toContain(match[1]);
  });
});

describe('a rotation of the key set', () => {
  it('starts a new set with a current key and the next one already published: 256-bit keys, distinct kids', () => {
    const set = newKeySet(at);
    expect(set.keys).toHaveLength(2);
    expect(set.current).toBe(set.keys[0]!.kid);
    for (const key of set.keys) {
      expect(key.key).toHaveLength(32);
      expect(key.kid).toMatch(/^20261129-[A-Za-z0-9_-]{12}$/);
      expect(key.createdAt).toBe(at.toISOString());
    }
    expect(set.keys[0]!.kid).not.toBe(set.keys[1]!.kid);
  });

  it('makes the published next key current, keeps the old current as previous, publishes a fresh next one', () => {
    const before = newKeySet(at);
    const after = rotateKeySet(before, at);
    expect(after.keys.slice(0, 2)).toEqual(before.keys);
    expect(after.current).toBe(before.keys[1]!.kid);
    expect(after.keys).toHaveLength(3);
    expect(before.keys.map((key) => key.kid)).not.toContain(after.keys[2]!.kid);
    // Once more: the previous of before is dropped.
    const again = rotateKeySet(after, at);
    expect(again.keys.slice(0, 2)).toEqual(after.keys.slice(1));
    expect(again.current).toBe(after.keys[2]!.kid);
  });

  it('from a single secret: keeps it as previous, with a fresh current and next (a one-time change of kid)', () => {
    const legacy = parseKeySet(b64(bytes()), 'test');
    const after = rotateKeySet(legacy, at);
    expect(after.keys[0]).toEqual(legacy.keys[0]);
    expect(after.current).toBe(after.keys[1]!.kid);
    expect(after.keys).toHaveLength(3);
    expect(new Set(after.keys.map((key) => b64(key.key))).size).toBe(3);
  });
});

describe('a container\'s key set (KeySetCache)', () => {
  const [k1, k2, k3] = [bytes(), bytes(), bytes()];
  const setA: KeySet = { current: 'k1', keys: [{ kid: 'k1', key: k1 }, { kid: 'k2', key: k2 }] };
  const setB: KeySet = { current: 'k2', keys: [{ kid: 'k1', key: k1 }, { kid: 'k2', key: k2 }, { kid: 'k3', key: k3 }] };

  /** A secret store the test changes, counting reads. */
  function store(initial: KeySet) {
    const state = { set: initial, reads: 0, fail: false };
    const read = async () => {
      state.reads++;
      if (state.fail) throw new Error('secret store unavailable');
      return state.set;
    };
    return { state, read };
  }
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };

  it('reads the set on first use only, not when built (cold start stays free of it)', async () => {
    const { state, read } = store(setA);
    const cache = new KeySetCache(read, clock());
    expect(state.reads).toBe(0);
    expect((await cache.signingKey()).kid).toBe('k1');
    await cache.verificationKey('k2');
    expect(state.reads).toBe(1);
  });

  it('reads it again once it is 5 minutes old, and signs with the new current key then', async () => {
    const { state, read } = store(setA);
    const c = clock();
    const cache = new KeySetCache(read, c);
    await cache.signingKey();
    state.set = setB;
    c.t += 5 * 60_000 - 1;
    expect((await cache.signingKey()).kid).toBe('k1');
    c.t += 1;
    expect((await cache.signingKey()).kid).toBe('k2');
    expect(state.reads).toBe(2);
  });

  it('reads it again at once for an unknown kid, and finds a key rotated in meanwhile', async () => {
    const { state, read } = store(setA);
    const cache = new KeySetCache(read, clock());
    await cache.signingKey();
    state.set = setB;
    expect(await cache.verificationKey('k3')).toEqual(k3);
    expect(state.reads).toBe(2);
  });

  it('reads at most once per 10 s for unknown kids, whatever the callers send', async () => {
    const { state, read } = store(setA);
    const c = clock();
    const cache = new KeySetCache(read, c);
    await cache.signingKey();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => cache.verificationKey(`made-up-${i}`)));
    expect(results.every((key) => key === undefined)).toBe(true);
    expect(state.reads).toBe(2);
    c.t += 9_999;
    expect(await cache.verificationKey('made-up')).toBeUndefined();
    expect(state.reads).toBe(2);
    c.t += 1;
    state.set = setB;
    expect(await cache.verificationKey('k3')).toEqual(k3);
    expect(state.reads).toBe(3);
  });

  it('does not read for a kid that cannot be a key id', async () => {
    const { state, read } = store(setA);
    const cache = new KeySetCache(read, clock());
    await cache.signingKey();
    expect(await cache.verificationKey('../../etc/passwd')).toBeUndefined();
    expect(await cache.verificationKey('x'.repeat(65))).toBeUndefined();
    expect(state.reads).toBe(1);
  });

  it('shares one read among concurrent requests', async () => {
    const { state, read } = store(setA);
    const cache = new KeySetCache(read, clock());
    await Promise.all([cache.signingKey(), cache.signingKey(), cache.verificationKey('k2'), cache.verificationKey('k1')]);
    expect(state.reads).toBe(1);
  });

  it('answers a JWT without kid only with the single secret a set was migrated from', async () => {
    const legacy = parseKeySet(b64(k1), 'test');
    expect(await new KeySetCache(async () => legacy, clock()).verificationKey(undefined)).toEqual(k1);
    expect(await new KeySetCache(async () => rotateKeySet(legacy, at), clock()).verificationKey(undefined)).toEqual(k1);
    expect(await new KeySetCache(async () => setA, clock()).verificationKey(undefined)).toBeUndefined();
    expect(await new KeySetCache(async () => singleKeySet(k1, 'k1'), clock()).verificationKey(undefined)).toBeUndefined();
  });

  it('does not keep a failed first read: the next request reads again', async () => {
    const { state, read } = store(setA);
    const cache = new KeySetCache(read, clock());
    state.fail = true;
    await expect(cache.signingKey()).rejects.toThrow('secret store unavailable');
    state.fail = false;
    expect((await cache.signingKey()).kid).toBe('k1');
  });

  it('keeps using the set it holds when a re-read fails, says so, and tries again after 10 s', async () => {
    const { state, read } = store(setA);
    const c = clock();
    const failures: unknown[] = [];
    const cache = new KeySetCache(read, c, { onStaleSet: (error) => failures.push(error) });
    await cache.signingKey();
    state.fail = true;
    c.t += 5 * 60_000;
    expect((await cache.signingKey()).kid).toBe('k1');
    expect(await cache.verificationKey('k2')).toEqual(k2);
    expect(failures).toHaveLength(1);
    expect(state.reads).toBe(2);
    c.t += 10_000;
    state.fail = false;
    state.set = setB;
    expect((await cache.signingKey()).kid).toBe('k2');
    expect(state.reads).toBe(3);
  });
});
