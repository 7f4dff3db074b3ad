// Child process of `npm run bench`. Section 5b: argon2id as the functions run it
// (lib/admin/password.ts: m = 19 MiB, t = 2, p = 1), hash and verify alternating, from a fresh
// process: CPU, wall time and minor page faults of each operation. Result over IPC.
// argv: <operations>
import { hashPassword, verifyPassword } from '../../lib/admin/password.ts';

export interface Argon2Op {
  readonly kind: 'hash' | 'verify';
  readonly cpuMs: number;
  readonly wallMs: number;
  /** Minor page faults of the process during the operation: fresh pages for argon2's 19 MiB. */
  readonly faults: number;
}

export interface Argon2Run {
  readonly malloc: string;
  readonly ops: readonly Argon2Op[];
  readonly rss: number;
}

const count = Number(process.argv[2] ?? 16);
const PASSWORD = 'Str0ng!Passw0rd';
const stored = await hashPassword(PASSWORD);
const ops: Argon2Op[] = [];
for (let i = 0; i < count; i++) {
  const kind = i % 2 === 0 ? 'hash' : 'verify';
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  if (kind === 'hash') await hashPassword(PASSWORD);
  else if (!(await verifyPassword(PASSWORD, stored))) throw new Error('argon2id verification failed');
  const wallMs = performance.now() - t0;
  const { user, system } = process.cpuUsage(cpu);
  ops.push({ kind, cpuMs: (user + system) / 1000, wallMs, faults: process.resourceUsage().minorPageFault - faults });
}
const result: Argon2Run = { malloc: process.env.MALLOC_ARENA_MAX ? `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : 'glibc default', ops, rss: process.memoryUsage().rss };
if (process.send) process.send(result);
else console.error(JSON.stringify(result, null, 2));
