import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { FALSE_REFUSAL_BOUND, PLAIN_MAX_DISTINCT, TOKEN_ID, newServiceTokenId, plainlyNotRandom } from '../../lib/service-token/token.ts';
import { canonicalUuid, digestsEqual, keyDigest } from '../../lib/credentials/secret.ts';

const token = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('service token canonical form and digest', () => {
  it.each([
    token,
    token.toUpperCase(),
    `{${token}}`,
    token.replace(/-/g, ''),
    `{${token.replace(/-/g, '').toUpperCase()}}`,
  ])('reads %s as the same token', (spelling) => {
    expect(canonicalUuid(spelling)).toBe(token);
  });

  it('stores the SHA-256 of the canonical token, base64url', () => {
    expect(keyDigest(token)).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(keyDigest(token)).not.toContain(token);
  });

  it('compares digests exactly', () => {
    expect(digestsEqual(keyDigest(token), keyDigest(token))).toBe(true);
    expect(digestsEqual(keyDigest(token), keyDigest(token.replace('0f', '1f')))).toBe(false);
    expect(digestsEqual(keyDigest(token), '')).toBe(false);
  });
});

describe('token ids', () => {
  it('are st_ and 16 base32 characters, every one of them random', () => {
    const ids = Array.from({ length: 5000 }, newServiceTokenId);
    for (const id of ids) expect(id).toMatch(TOKEN_ID);
    expect(new Set(ids).size).toBe(ids.length);
    // A fixed bit (the UUID's version or variant digit) would keep a position to 16 values or fewer.
    for (let position = 3; position < 19; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(32);
    }
  });
});

describe('v4 tokens whose random part is plainly not random', () => {
  it.each([
    ['all zeros', '00000000-0000-4000-8000-000000000000'],
    ['all f', 'ffffffff-ffff-4fff-bfff-ffffffffffff'],
    ['one repeated digit', '11111111-1111-4111-8111-111111111111'],
    ['counting up', '01234567-89ab-4cde-8f01-23456789abcd'],
    ['counting down', 'fedcba98-7654-4321-8fed-cba987654321'],
    ['a keyboard run', '12345678-1234-4234-8234-123456789012'],
    ['a word repeated', 'deadbeef-dead-4eef-bead-beefdeadbeef'],
    ['five digits in blocks', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'],
    ['two digits alternating', 'abababab-abab-4bab-abab-abababababab'],
  ])('refuses %s', (_name, token) => {
    expect(plainlyNotRandom(token)).toBe(true);
  });

  it.each([
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    '0e8a7f1c-1234-4abc-8def-0123456789ab',
    'c9a646d3-9c61-4cb7-bfcd-ee2522c8f633',
    '5f0c3a8e-2b7d-4c1e-8a9f-3d6e1b2c4a5f',
  ])('accepts %s', (token) => {
    expect(plainlyNotRandom(token)).toBe(false);
  });

  it('decides exactly as the rule reads, on tokens of few digits and of many', () => {
    // The rule as written in token.ts, with arrays and Sets: the code counts the same with bit sets.
    const byTheRule = (canonical: string): boolean => {
      const hex = canonical.replaceAll('-', '');
      const digits = [...hex].filter((_, i) => i !== 12 && i !== 16).map((c) => parseInt(c, 16));
      const steps = digits.slice(1).map((d, i) => (d - digits[i]! + 16) % 16);
      return new Set(digits).size <= PLAIN_MAX_DISTINCT || new Set(steps).size <= PLAIN_MAX_DISTINCT;
    };
    const v4From = (hex: string) =>
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(15, 18)}-${hex.slice(18, 30)}`;
    const refused = { true: 0, false: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }).chain((width) =>
          fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.slice(0, width)), minLength: 30, maxLength: 30 })),
        (hex) => {
          const token = v4From(hex);
          refused[`${byTheRule(token)}`]++;
          return plainlyNotRandom(token) === byTheRule(token);
        },
      ),
      { numRuns: 20_000 },
    );
    // Both answers were exercised.
    expect(refused.true).toBeGreaterThan(1000);
    expect(refused.false).toBeGreaterThan(1000);
  });

  it('accepts random v4 UUIDs (crypto.randomUUID), 200,000 of them', () => {
    fc.assert(
      fc.property(fc.constant(null).map(() => randomUUID()), (token) => !plainlyNotRandom(token)),
      { numRuns: 200_000 },
    );
  });

  it('refuses a real random UUID with the probability stated in the code and docs', () => {
    // P(n independent uniform hex digits take at most k distinct values)
    //   = sum over j <= k of C(16, j) * j! * S(n, j) / 16^n, S being Stirling numbers of the second kind.
    const stirling = (n: number, k: number): bigint => {
      let row = [1n];
      for (let i = 1; i <= n; i++) {
        const next = [0n];
        for (let j = 1; j <= Math.min(i, k); j++) next[j] = BigInt(j) * (row[j] ?? 0n) + (row[j - 1] ?? 0n);
        row = next;
      }
      return row[k] ?? 0n;
    };
    const choose = (n: number, k: number): bigint => {
      let result = 1n;
      for (let i = 0; i < k; i++) result = (result * BigInt(n - i)) / BigInt(i + 1);
      return result;
    };
    const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));
    const atMost = (n: number, k: number): number => {
      let ways = 0n;
      for (let j = 1; j <= k; j++) ways += choose(16, j) * factorial(j) * stirling(n, j);
      return Number((ways * 10n ** 30n) / 16n ** BigInt(n)) / 1e30;
    };
    const digits = atMost(30, PLAIN_MAX_DISTINCT);
    const steps = atMost(29, PLAIN_MAX_DISTINCT);
    expect(digits).toBeCloseTo(3.043e-12, 14);
    expect(steps).toBeCloseTo(9.724e-12, 14);
    // The union bound stated is above the exact sum, and tight (within 1%).
    expect(FALSE_REFUSAL_BOUND).toBeGreaterThanOrEqual(digits + steps);
    expect(FALSE_REFUSAL_BOUND).toBeLessThan((digits + steps) * 1.01);
  });
});
