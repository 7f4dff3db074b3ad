import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  FALSE_REFUSAL_BOUND,
  PLAIN_MAX_DISTINCT,
  canonicalUuid,
  digestsEqual,
  plainlyNotRandom,
  tokenDigest,
} from '../../lib/service-token/token.ts';

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
    expect(tokenDigest(token)).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(tokenDigest(token)).not.toContain(token);
  });

  it('compares digests exactly', () => {
    expect(digestsEqual(tokenDigest(token), tokenDigest(token))).toBe(true);
    expect(digestsEqual(tokenDigest(token), tokenDigest(token.replace('0f', '1f')))).toBe(false);
    expect(digestsEqual(tokenDigest(token), '')).toBe(false);
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
