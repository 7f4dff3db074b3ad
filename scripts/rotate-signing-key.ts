// `npm run rotate-signing-key`: rotates the local admin-JWT signing key set (DATA_DIR/jwt-secret,
// which `npm start` made), as the stack's rotation function does in AWS: the published next key
// becomes current, the old current key stays (JWTs it signed keep working until they expire), a new
// next key is published. A file holding a single secret (from before key sets) becomes a key set
// that keeps it. The running functions of `npm start` pick the new set up within
// JWT_KEY_SET_MAX_AGE_SECONDS (5 s under npm start). Never prints a key.
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKeySet, rotateKeySet, serializeKeySet } from '../lib/admin/signing-key.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Same default as scripts/start.ts.
const dataDir = resolve(process.env.DATA_DIR || join(root, '.data'));
const file = join(dataDir, 'jwt-secret');

let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  console.error(`npm run rotate-signing-key: no key set to rotate at ${file} (${(error as NodeJS.ErrnoException).code}); npm start makes it on its first start`);
  process.exit(1);
}
const before = parseKeySet(text, file);
const after = rotateKeySet(before, new Date());
// Written beside it, then renamed over it: a function reading the file sees the old set or the new
// one, never half of one. (Two rotations at the same moment: the later rename wins.)
const temporary = `${file}.${process.pid}.tmp`;
writeFileSync(temporary, serializeKeySet(after), { mode: 0o600, flag: 'wx' });
renameSync(temporary, file);
const previous = after.keys[after.keys.findIndex((key) => key.kid === after.current) - 1]!;
console.log(`Signing key rotated: new admin JWTs carry kid ${after.current}; those signed with ${previous.kid} keep working until they expire.`);
console.log(`A running npm start signs with the new key within ${process.env.JWT_KEY_SET_MAX_AGE_SECONDS || '5'} s.`);
