// Section 1: cold import of each production bundle in a fresh Node process, against the floor
// (the SDK's document client with its defaults, bundles.ts), interleaved: floor, fnA, floor, fnB, …
// and again, rotating.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DUMMY_ENV } from './dummy-env.ts';
import { median, quantile } from './stats.ts';
import type { BuiltBundle } from '../bundles.ts';

/** What the child measures around `require(bundle)`: the cold start's module load and init. */
export interface ColdSample {
  /** CPU time of the whole child process (all threads) during the require, ms. */
  readonly cpuMs: number;
  /** Wall time of the require, ms. */
  readonly wallMs: number;
  /** From the process's time origin to the end of the require (Node's own start-up included), ms. */
  readonly processMs: number;
  /** CPU time of the whole process from its start to the end of the require (Node's own start-up included), ms. */
  readonly processCpuMs: number;
}

export interface ColdResult {
  readonly fn: string;
  readonly runs: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly processMs: number;
  readonly processCpuMs: number;
  /** Median over the runs of fn / the floor run just before it. */
  readonly pairedCpuRatio: number;
  /** The spread of those paired CPU ratios: first and third quartiles. */
  readonly pairedCpuSpread: readonly [number, number];
  readonly pairedWallRatio: number;
  readonly pairedProcessRatio: number;
}

const RUNNER = `'use strict';
const started = process.cpuUsage();
const t0 = performance.now();
const loaded = require(process.argv[2]);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(started);
const processMs = performance.now();
const total = process.cpuUsage();
if (!loaded || (typeof loaded.handler !== 'function' && loaded.db === undefined)) {
  throw new Error('the bundle exports neither a handler nor the floor client');
}
process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs, processMs, processCpuMs: (total.user + total.system) / 1000 }));
`;

/** The child's script, written next to the bundles (a .cjs, as Lambda would load the bundle). */
export function writeRunner(dir: string): string {
  const file = join(dir, 'cold-runner.cjs');
  writeFileSync(file, RUNNER);
  return file;
}

/** One cold start: a fresh Node 24 process with nothing but the dummy configuration in its environment. */
export function coldStart(runner: string, bundle: string): ColdSample {
  const child = spawnSync(process.execPath, [runner, bundle], { env: { ...DUMMY_ENV }, encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`cold start of ${bundle} failed (${child.signal ?? child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as ColdSample;
}

const quartiles = (values: number[]): [number, number] => [quantile(values, 0.25), quantile(values, 0.75)];

export function measureCold(
  dir: string,
  floor: BuiltBundle,
  bundles: readonly BuiltBundle[],
  runs: number,
  progress: (done: number, total: number) => void = () => {},
): { floor: ColdResult; functions: ColdResult[] } {
  const runner = writeRunner(dir);
  // Once each, unmeasured: the files into the page cache, as Lambda's would be.
  for (const bundle of [floor, ...bundles]) coldStart(runner, bundle.file);
  const floorSamples: ColdSample[] = [];
  const samples = new Map<string, { own: ColdSample; floor: ColdSample }[]>(bundles.map((b) => [b.fn, []]));
  const total = runs * bundles.length;
  let done = 0;
  for (let run = 0; run < runs; run++) {
    // Rotate the order, so that no function always follows the same one.
    for (let k = 0; k < bundles.length; k++) {
      const bundle = bundles[(run + k) % bundles.length]!;
      const floorSample = coldStart(runner, floor.file);
      const own = coldStart(runner, bundle.file);
      floorSamples.push(floorSample);
      samples.get(bundle.fn)!.push({ own, floor: floorSample });
      progress(++done, total);
    }
  }
  const summary = (fn: string, own: ColdSample[], pairs?: { own: ColdSample; floor: ColdSample }[]): ColdResult => ({
    fn,
    runs: own.length,
    cpuMs: median(own.map((s) => s.cpuMs)),
    wallMs: median(own.map((s) => s.wallMs)),
    processMs: median(own.map((s) => s.processMs)),
    processCpuMs: median(own.map((s) => s.processCpuMs)),
    pairedCpuRatio: pairs ? median(pairs.map((p) => p.own.cpuMs / p.floor.cpuMs)) : 1,
    pairedCpuSpread: pairs ? quartiles(pairs.map((p) => p.own.cpuMs / p.floor.cpuMs)) : [1, 1],
    pairedWallRatio: pairs ? median(pairs.map((p) => p.own.wallMs / p.floor.wallMs)) : 1,
    pairedProcessRatio: pairs ? median(pairs.map((p) => p.own.processMs / p.floor.processMs)) : 1,
  });
  return {
    floor: summary(floor.fn, floorSamples),
    functions: bundles.map((b) => summary(b.fn, samples.get(b.fn)!.map((p) => p.own), samples.get(b.fn)!)),
  };
}
