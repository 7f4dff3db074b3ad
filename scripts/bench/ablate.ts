// `node scripts/bench/ablate.ts <scenario>`: where a warm request's CPU beyond its baseline goes.
// The scenario's real handler runs as measured by `npm run bench`, and again with one piece of its
// work taken out at a time (on the live App and library prototypes, restored after each block):
// the audit line replaced by a bare one or dropped, the per-invocation AsyncLocalStorage, Joi's
// validation. All variants run interleaved in short blocks, each round in a rotating order, and
// each is reported against the baseline and, paired round by round, against the whole handler.
// Not part of `npm run bench`: a diagnostic, like profile.ts. Needs the dummy configuration
// in its environment (see docs/performance.md) and stdout sent to /dev/null.
//
// Why not compare two CPU profiles: this machine's speed drifts by up to 2x between processes, so
// a profile of the handler and one of its baseline (two processes) disagree on the very SDK calls
// they share. Here everything runs in one process, a few milliseconds apart.
import './child-env.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import Joi from 'joi';
import { median } from './stats.ts';

const [target] = process.argv.slice(2);
if (!target) {
  console.error('usage: node scripts/bench/ablate.ts <scenario name>');
  process.exit(2);
}
const { wire, scenarios } = await import('./scenarios.ts');
const wiring = wire();
const { app } = wiring;
const scenario = (await scenarios(wiring)).find((s) => s.name === target);
if (!scenario) throw new Error(`no scenario named ${target}`);
scenario.activate();

type Swap = () => () => void;
/** Replaces `object[key]` with `value`; returns the undo. */
const swap = <T extends object, K extends keyof T>(object: T, key: K, value: T[K]): (() => void) => {
  const saved = object[key];
  object[key] = value;
  return () => {
    object[key] = saved;
  };
};
const joiPrototype = Object.getPrototypeOf(Joi.object()) as { validate: (value: unknown) => unknown };
const bareLine = (event: string) => {
  const now = new Date().toISOString();
  process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'audit', timestamp: now, service: 'databrain-admin-api', audit: event, time: now })}\n`);
};
const removals: Record<string, Swap> = {
  'audit line: none': () => swap(app.audit, 'record', () => undefined),
  'audit line: bare': () => swap(app.audit, 'record', bareLine),
  AsyncLocalStorage: () => swap(AsyncLocalStorage.prototype, 'run', function run(this: unknown, _store: unknown, work: () => unknown) {
    return work();
  } as AsyncLocalStorage<unknown>['run']),
  'Joi validation': () => swap(joiPrototype, 'validate', (value: unknown) => ({ value })),
};

const BLOCK = 15;
const ROUNDS = Number(process.env.ROUNDS ?? 150);
const cpuPerRequest = async (work: () => Promise<unknown>): Promise<number> => {
  const start = process.cpuUsage();
  for (let i = 0; i < BLOCK; i++) await work();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / BLOCK;
};
const variants: Record<string, () => Promise<number>> = {
  baseline: () => cpuPerRequest(() => scenario.baseline()),
  handler: () => cpuPerRequest(() => scenario.invoke()),
};
for (const [name, remove] of Object.entries(removals)) {
  variants[`handler without ${name}`] = async () => {
    const undo = remove();
    try {
      return await cpuPerRequest(() => scenario.invoke());
    } finally {
      undo();
    }
  };
}
variants['handler without all of these'] = async () => {
  const undos = [removals['audit line: none']!(), removals.AsyncLocalStorage!(), removals['Joi validation']!()];
  try {
    return await cpuPerRequest(() => scenario.invoke());
  } finally {
    undos.forEach((undo) => undo());
  }
};

const names = Object.keys(variants);
for (const run of Object.values(variants)) for (let i = 0; i < 40; i++) await run();
const samples = Object.fromEntries(names.map((name) => [name, [] as number[]]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    samples[name]!.push(await variants[name]!());
  }
}
const paired = (name: string, against: string) => median(samples[name]!.map((x, i) => x / samples[against]![i]!));
console.error(`${target}: ${ROUNDS} rounds of ${BLOCK} requests per variant\n`);
console.error(`${'variant'.padEnd(42)} ${'µs'.padStart(6)}  ${'vs baseline (paired)'.padStart(20)}  ${'vs handler (paired)'.padStart(19)}`);
for (const name of names) {
  console.error(`${name.padEnd(42)} ${median(samples[name]!).toFixed(0).padStart(6)}  ${`${paired(name, 'baseline').toFixed(3)}×`.padStart(20)}  ${`${paired(name, 'handler').toFixed(3)}×`.padStart(19)}`);
}
