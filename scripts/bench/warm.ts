// Child process of `npm run bench` (stdout goes to /dev/null: it carries the functions' log lines).
// Section 2: warm CPU per request, each handler against its baseline, interleaved in blocks.
// Results go back over IPC.
import './child-env.ts';
import { median } from './stats.ts';

export interface ScenarioName {
  readonly name: string;
  readonly argon2: string;
}

export interface WarmResult {
  readonly name: string;
  readonly fn: string;
  readonly argon2: string;
  readonly argon2PerRequest: number;
  readonly jwt: string;
  readonly iterationsPerBlock: number;
  readonly rounds: number;
  /** Median CPU µs per request (user + system, all threads of the process). */
  readonly handlerUs: number;
  /** The same handler with its Logger at SILENT: the request without its log line. */
  readonly silentUs: number;
  readonly baselineUs: number;
  /** Median of the per-round ratios (each round: one block of each). */
  readonly pairedRatio: number;
  readonly pairedSilentRatio: number;
}

const cpuUs = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return user + system;
};

async function block(work: () => Promise<unknown>, iterations: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await work();
  return cpuUs(start) / iterations;
}

const { wire, scenarios } = await import('./scenarios.ts');

const quick = process.argv.includes('--quick');
// Short blocks, many rounds: on a shared machine the load changes from one second to the next, so
// the three sides of a round must run close together. A block is long enough to include its GC.
const BLOCK_US = 6_000;
const SCENARIO_US = quick ? 1_000_000 : 3_000_000;
const ARGON2_ROUNDS = quick ? 3 : 7;

const wiring = wire();
if (process.argv.includes('--list')) {
  // The scenarios' names and argon2 modes, for the memory section (one row per scenario).
  const list: ScenarioName[] = (await scenarios(wiring)).map(({ name, argon2 }) => ({ name, argon2 }));
  if (process.send) process.send(list);
  else console.error(JSON.stringify(list, null, 2));
  process.exit(0);
}
const logAt = (level: 'INFO' | 'SILENT') => wiring.app.logger.setLogLevel(level);
const results: WarmResult[] = [];
for (const scenario of await scenarios(wiring)) {
  scenario.activate();
  const argon2Real = scenario.argon2 === 'real';
  // Warm-up (JIT, caches, the signing key, the endpoint cache), and the block size.
  const warmUp = argon2Real ? 2 : quick ? 300 : 1000;
  const perRequest = Math.max(await block(() => scenario.invoke(), warmUp), await block(() => scenario.baseline(), warmUp));
  const iterations = Math.max(1, Math.round(BLOCK_US / perRequest));
  const rounds = argon2Real ? ARGON2_ROUNDS : Math.max(20, Math.round(SCENARIO_US / (3 * iterations * perRequest)));
  const samples = { handler: [] as number[], silent: [] as number[], baseline: [] as number[] };
  const measure = {
    handler: () => { logAt('INFO'); return block(() => scenario.invoke(), iterations); },
    silent: () => { logAt('SILENT'); return block(() => scenario.invoke(), iterations); },
    baseline: () => block(() => scenario.baseline(), iterations),
  };
  const order = ['handler', 'silent', 'baseline'] as const;
  const before = scenario.requests();
  for (let round = 0; round < rounds; round++) {
    // The order rotates each round, so a drift in load favours no side.
    for (let k = 0; k < order.length; k++) {
      const side = order[(round + k) % order.length]!;
      samples[side].push(await measure[side]());
    }
  }
  logAt('INFO');
  const requests = scenario.requests() - before;
  const expected = order.length * rounds * iterations * scenario.sdkCalls;
  if (requests !== expected) throw new Error(`${scenario.name}: ${requests} DynamoDB requests, expected ${expected}`);
  const { handler, silent, baseline } = samples;
  results.push({
    name: scenario.name,
    fn: scenario.fn,
    argon2: scenario.argon2,
    argon2PerRequest: scenario.argon2PerRequest,
    jwt: scenario.jwt,
    iterationsPerBlock: iterations,
    rounds,
    handlerUs: median(handler),
    silentUs: median(silent),
    baselineUs: median(baseline),
    pairedRatio: median(handler.map((h, i) => h / baseline[i]!)),
    pairedSilentRatio: median(silent.map((h, i) => h / baseline[i]!)),
  });
}

if (process.send) process.send(results);
else console.error(JSON.stringify(results, null, 2));
