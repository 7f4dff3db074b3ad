// `npm run rotate-signing-key` on a data folder, without a running stack: the file it rewrites is
// what the functions read (JWT_SECRET_FILE). test/e2e/local-stack.test.ts runs it under npm start.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { AdminJwt } from '../../lib/admin/jwt.ts';
import { KeySetCache, keySetSource, legacyKid, newKeySet, serializeKeySet } from '../../lib/admin/signing-key.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const settings = { issuer: 'databrain-selfhosted', audience: 'databrain-admin-api', ttlSeconds: 3600 };
const claims = { adminId: 'admin-1', companyId: 'company-1', credentialVersion: 1 };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'rotate-signing-key-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const file = () => join(dataDir, 'jwt-secret');
const rotate = () => spawnSync(process.execPath, [join(root, 'scripts', 'rotate-signing-key.ts')], {
  cwd: root, env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8',
});
/** The functions' view of the file, as npm start configures them. */
const jwtOf = () => {
  const clock = { now: () => Date.now() };
  return new AdminJwt(new KeySetCache(keySetSource({ region: 'us-east-1', jwt: { secretFile: file() } as never }), clock), settings, clock);
};

it('migrates a single secret from before key sets: JWTs it signed, with or without kid, keep working; new ones carry a new kid', async () => {
  const legacy = new Uint8Array(randomBytes(32));
  writeFileSync(file(), Buffer.from(legacy).toString('base64url'), { mode: 0o600 });
  const before = jwtOf();
  const signedBefore = await before.issue(claims);
  const now = Math.floor(Date.now() / 1000);
  // What the API issued before JWTs carried a kid.
  const withoutKid = await new SignJWT({ companyId: 'company-1', role: 'admin', cv: 1 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(settings.issuer).setAudience(settings.audience).setSubject('admin-1').setIssuedAt(now).setExpirationTime(now + 3600).setJti('j')
    .sign(legacy);

  const run = rotate();
  expect(run.status).toBe(0);
  const set = JSON.parse(readFileSync(file(), 'utf8'));
  expect(set.keys[0]).toEqual({ kid: legacyKid(legacy), k: Buffer.from(legacy).toString('base64url') });
  expect(set.keys).toHaveLength(3);
  expect(statSync(file()).mode & 0o777).toBe(0o600);
  expect(readdirSync(dataDir)).toEqual(['jwt-secret']);
  for (const key of set.keys) expect(run.stdout + run.stderr).not.toContain(key.k);

  const after = jwtOf();
  const signedAfter = await after.issue(claims);
  expect(JSON.parse(Buffer.from(signedAfter.split('.')[0]!, 'base64url').toString()).kid).toBe(set.current);
  for (const token of [signedBefore, withoutKid, signedAfter]) await expect(after.verify(token)).resolves.toEqual(claims);
});

it('rotates a key set: the next key becomes current, the current one stays', () => {
  const set = newKeySet(new Date());
  writeFileSync(file(), serializeKeySet(set), { mode: 0o600 });
  expect(rotate().status).toBe(0);
  const after = JSON.parse(readFileSync(file(), 'utf8'));
  expect(after.current).toBe(set.keys[1]!.kid);
  expect(after.keys.map((key: { kid: string }) => key.kid).slice(0, 2)).toEqual(set.keys.map((key) => key.kid));
});

it('fails, saying what to do, when there is no key set yet', () => {
  const run = rotate();
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`npm run rotate-signing-key: no key set to rotate at ${file()} (ENOENT); npm start makes it on its first start`);
});
