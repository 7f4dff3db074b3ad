import { createHash } from 'node:crypto';
import { canonicalUuid, digestsEqual, tokenDigest } from '../../lib/service-token/token.ts';

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
