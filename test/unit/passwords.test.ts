import { hashPassword, newSalt, OWASP_ARGON2ID, UNKNOWN_USER_HASH, verifyPassword } from '../../lib/admin/password.ts';

describe('argon2id password hashing', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword('Str0ng!Passw0rd');
  });

  it('stores a PHC string with the OWASP parameters and a random 16-byte salt', async () => {
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const again = await hashPassword('Str0ng!Passw0rd');
    expect(again).not.toBe(hash);
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4]);
  });

  it('accepts the right password and refuses any other', async () => {
    await expect(verifyPassword('Str0ng!Passw0rd', hash)).resolves.toBe(true);
    await expect(verifyPassword('str0ng!Passw0rd', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('verifies hashes made with stronger parameters', async () => {
    const stronger = await hashPassword('pw', { ...OWASP_ARGON2ID, passes: 3 });
    expect(stronger).toContain('m=19456,t=3,p=1');
    await expect(verifyPassword('pw', stronger)).resolves.toBe(true);
  });

  it('refuses malformed or weakened hashes instead of throwing', async () => {
    await expect(verifyPassword('Str0ng!Passw0rd', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('Str0ng!Passw0rd', hash.replace('$argon2id$', '$argon2i$'))).resolves.toBe(false);
    await expect(verifyPassword('Str0ng!Passw0rd', hash.replace('m=19456', 'm=1024'))).resolves.toBe(false);
    await expect(verifyPassword('Str0ng!Passw0rd', hash.replace('m=19456', 'm=9999999'))).resolves.toBe(false);
  });

  it('has a stand-in hash for unknown emails that is well-formed and matches nothing', async () => {
    expect(UNKNOWN_USER_HASH).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword('Str0ng!Passw0rd', UNKNOWN_USER_HASH)).resolves.toBe(false);
    await expect(verifyPassword('', UNKNOWN_USER_HASH)).resolves.toBe(false);
  });
});

describe('salts', () => {
  it('are 16 bytes, never repeat, and keep coming across refills of their buffer', () => {
    const salts = Array.from({ length: 1000 }, newSalt);
    for (const salt of salts) expect(salt).toHaveLength(16);
    expect(new Set(salts.map((s) => s.toString('hex'))).size).toBe(salts.length);
    // Each salt is its own copy: refilling the buffer (every 256 salts) leaves earlier ones as they were.
    const first = newSalt();
    const kept = first.toString('hex');
    for (let i = 0; i < 300; i++) newSalt();
    expect(first.toString('hex')).toBe(kept);
  });

  it('differ between two hashes of one password', async () => {
    const [a, b] = await Promise.all([hashPassword('Str0ng!Passw0rd'), hashPassword('Str0ng!Passw0rd')]);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });
});
