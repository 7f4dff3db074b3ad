// What every benchmark process needs before any lib/ or handlers/ module loads:
//  - the dummy configuration a handler module reads at load (dummy-env.ts), in process.env;
//  - a switch in front of node:crypto's argon2, so that a measurement can take argon2id's cost out
//    of a password request (a stand-in derives the tag with one SHA-512) and put it back.
// lib/admin/password.ts captures `argon2` when it loads, so this module must be evaluated first:
// the bench's processes import it first and load everything else with dynamic import() after it.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { DUMMY_ENV } from './dummy-env.ts';

for (const [name, value] of Object.entries(DUMMY_ENV)) process.env[name] ??= value;

/** node:crypto's own argon2, whatever the switch says. */
export const realArgon2 = crypto.argon2;

let standIn = false;

/** true: argon2 calls made through node:crypto return at once (SHA-512 of message and nonce). */
export function useArgon2StandIn(on: boolean): void {
  standIn = on;
}

/** The stand-in itself: one SHA-512 of message and nonce, answered on the next turn of the loop. */
export const standInArgon2: typeof crypto.argon2 = (_algorithm, parameters, callback) => {
  const bytes = (value: typeof parameters.message) =>
    (typeof value === 'string' ? Buffer.from(value) : ArrayBuffer.isView(value) ? value : new Uint8Array(value));
  const tag = crypto.createHash('sha512').update(bytes(parameters.message)).update(bytes(parameters.nonce)).digest()
    .subarray(0, parameters.tagLength);
  setImmediate(callback, null, tag);
};

const switched: typeof crypto.argon2 = (algorithm, parameters, callback) =>
  (standIn ? standInArgon2 : realArgon2)(algorithm, parameters, callback);

crypto.argon2 = switched;
syncBuiltinESMExports();
