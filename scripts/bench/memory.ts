// Child process of `npm run bench`, started with --expose-gc, one per scenario (stdout goes to
// /dev/null: it carries the log lines). Section 4: memory after each of the given numbers of warm
// invocations (e.g. 100, 10000, 15000), each reading taken after forced full collections, then RSS
// once more after V8's memory-reducing collection (what the process retains).
// argv: <scenario name> <n1> <n2> … Result over IPC. A Secrets Manager rotation function's name
// (rotation.ts) runs its rotation steps instead, against engines in another process.
import './child-env.ts';
import v8 from 'node:v8';
import { isRotationFunction, rotation } from './rotation.ts';

export interface MemoryReading {
  /** Invocations so far. */
  readonly after: number;
  readonly rss: number;
  /**
   * RSS after V8's memory-reducing collection ("last resort"), taken just after the other figures:
   * V8 then also returns the empty 256 KiB pages it keeps pooled for reuse and shrinks its young
   * generation, which a plain gc() leaves committed. What the process retains: the leak check.
   */
  readonly retained: number;
  readonly heapUsed: number;
  /** V8 heap committed (all spaces). */
  readonly heapTotal: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers and other ArrayBuffers included; --json only). */
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8 young generation committed: grows with the allocation rate, up to its limit. */
  readonly newSpace: number;
  /** V8's code and trusted spaces committed: machine code, bytecode and their metadata (JIT warm-up). */
  readonly codeSpace: number;
}

export interface MemoryResult {
  readonly name: string;
  readonly readings: readonly MemoryReading[];
}

const [name, ...marks] = process.argv.slice(2);
const after = marks.map(Number);
type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
const gc = (globalThis as { gc?: Gc }).gc;
if (!gc) throw new Error('start this process with --expose-gc');
if (!name || after.length < 2 || after.some((n, i) => !(n > (after[i - 1] ?? 0)))) {
  throw new Error('usage: memory.ts <scenario> <n1> <n2> … (increasing)');
}

let invoke: () => Promise<void>;
let stop = () => {};
if (isRotationFunction(name)) {
  ({ invoke, stop } = await rotation(name));
} else {
  const { wire, scenarios } = await import('./scenarios.ts');
  const scenario = (await scenarios(wire())).find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named ${name}`);
  scenario.activate();
  invoke = () => scenario.invoke();
}

const reading = async (count: number): Promise<MemoryReading> => {
  // Let pending callbacks settle, then collect twice (weak references and finalizers need two).
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const size = (...names: string[]) => spaces.filter((s) => names.includes(s.space_name)).reduce((sum, s) => sum + s.space_size, 0);
  // Last: it shrinks what the readings above describe, and the next interval starts from it.
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const retained = process.memoryUsage.rss();
  return {
    after: count, rss, retained, heapUsed, heapTotal, external, arrayBuffers, newSpace: size('new_space'), codeSpace: size('code_space', 'trusted_space'),
  };
};

const readings: MemoryReading[] = [];
let done = 0;
try {
  for (const mark of after) {
    for (; done < mark; done++) await invoke();
    readings.push(await reading(done));
  }
} finally {
  stop();
}
const result: MemoryResult = { name, readings };
if (process.send) process.send(result);
else console.error(JSON.stringify(result));
