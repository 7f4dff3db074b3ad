// `node scripts/bench/profile.ts warm <scenario> [--baseline] [--silent-log]`: CPU profile of warm invocations of
// one benchmark scenario (the handler, or with --baseline its bare work), self time by package.
// `node scripts/bench/profile.ts cold <function|floor>`: CPU profile of one cold import of a
// production bundle (built with a source map), self time by package.
// The report goes to stderr (stdout carries the functions' log lines): add `>/dev/null`.
// The tool behind the Performance section's attributions; not part of `npm run bench`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { Session, type Profiler, type Runtime } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUMMY_ENV } from './dummy-env.ts';

const [mode, target] = process.argv.slice(2);
const TOP = Number(process.env.TOP ?? 25);

/** Self time (µs) per source key, where `key` maps a call frame to a package or file. */
function attribute(profile: Profiler.Profile, key: (frame: Runtime.CallFrame) => [string, string], runs = 1): void {
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const [pkg, fn] = key(node.callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    byFunction.set(`${pkg}  ${fn}`, (byFunction.get(`${pkg}  ${fn}`) ?? 0) + us);
    total += us;
  }
  const print = (title: string, map: Map<string, number>) => {
    console.error(`\n${title}`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      const per = runs > 1 ? `${(us / runs).toFixed(1).padStart(7)} µs/run` : `${(us / 1000).toFixed(1).padStart(8)} ms`;
      console.error(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${per}  ${name}`);
    }
  };
  console.error(`sampled ${(total / 1000).toFixed(0)} ms${runs > 1 ? ` over ${runs} runs: ${(total / runs).toFixed(1)} µs/run` : ''}`);
  print('self time by package', byPackage);
  print('self time by function', byFunction);
}

const packageOf = (path: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1]!;
  const own = /\/(lib|handlers|scripts)\/(.*)$/.exec(path);
  if (own) return `${own[1]}/${own[2]}`;
  if (!path) return '(V8/native)';
  return path.startsWith('node:') || path.startsWith('(') ? path : `node:${path.replace(/.*\//, '')}`;
};

if (mode === 'warm' && target) {
  // First: lib/admin/password.ts takes node:crypto's argon2 as it loads (see child-env.ts).
  await import('./child-env.ts');
  const { wire, scenarios } = await import('./scenarios.ts');
  const wiring = wire();
  // --silent-log: the request without its log line (the Logger at SILENT).
  if (process.argv.includes('--silent-log')) wiring.app.logger.setLogLevel('SILENT');
  const scenario = (await scenarios(wiring)).find((s) => s.name === target);
  if (!scenario) throw new Error(`no scenario named ${target}`);
  scenario.activate();
  const work = process.argv.includes('--baseline') ? () => scenario.baseline() : () => scenario.invoke();
  for (let i = 0; i < 2000; i++) await work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  const until = performance.now() + 4000;
  let runs = 0;
  for (; performance.now() < until; runs++) await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  attribute(profile, (frame) => [packageOf(frame.url), `${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}`], runs);
} else if (mode === 'cold' && target) {
  const { buildBundles } = await import('./bundles.ts');
  const { writeRunner } = await import('./cold.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const { functions, floor } = await buildBundles(dir, { sourcemap: true });
    const bundle = target === 'floor' ? floor : functions.find((b) => b.fn === target);
    if (!bundle) throw new Error(`no function ${target}`);
    const runner = writeRunner(dir);
    const child = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '50', runner, bundle.file],
      { env: DUMMY_ENV, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const profileFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const profile = JSON.parse(readFileSync(join(dir, profileFile), 'utf8')) as Profiler.Profile;
    const map = new SourceMap(JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8')));
    attribute(profile, (frame) => {
      if (!frame.url.endsWith('.cjs') || frame.url.endsWith('cold-runner.cjs')) {
        // node:internal/modules/cjs/loader's self time is V8 compiling the bundle (wrapSafe).
        return [frame.url ? packageOf(frame.url) : frame.functionName || '(V8/native)', frame.functionName];
      }
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
      const source = entry.originalSource ?? '(bundle top level)';
      return [packageOf(source), `${source.replace(/.*node_modules\//, '')}:${(entry.originalLine ?? -1) + 1}`];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  console.error('usage: node scripts/bench/profile.ts warm <scenario name> [--baseline] | cold <function|floor>');
  process.exit(2);
}
