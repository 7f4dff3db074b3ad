// `npm test`: type-check, lint, unit tests, the CloudFormation template checks, the integration suite
// on both DynamoDB engines, and the end-to-end suite over HTTP. Stops at the first failing step and
// exits non-zero.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaAvailable } from './dynamodb.ts';
import { addLeg, addSkippedLeg, emptyTotals, summaryLine, type JestReport } from './test-summary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const reports = mkdtempSync(join(tmpdir(), 'jest-reports-'));
const totals = emptyTotals();

function step(title: string, command: string, args: string[], env: Record<string, string> = {}): void {
  console.log(`\n▶ ${title}`);
  const { status, signal } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (status !== 0) {
    console.error(`\n✖ ${title} failed (${signal ?? `exit ${status}`})`);
    rmSync(reports, { recursive: true, force: true });
    process.exit(status || 1);
  }
}

/** Jest in its native ESM mode, on this same Node (the pinned Node 24), adding its counts to the totals. */
function jestStep(title: string, project: string, env: Record<string, string> = {}): JestReport {
  const report = join(reports, `${title.replace(/\W+/g, '-')}.json`);
  step(title, process.execPath, ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', jest,
    '--selectProjects', project, '--json', `--outputFile=${report}`, ...process.argv.slice(2)], env);
  const result = JSON.parse(readFileSync(report, 'utf8')) as JestReport;
  addLeg(totals, result);
  return result;
}

step('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit']);
// The admin console's browser code: the DOM's types, Preact's JSX (console/tsconfig.json).
step('type-check the console (tsc --noEmit -p console)', bin('tsc'), ['--noEmit', '-p', 'console']);
step('lint (eslint)', bin('eslint'), ['.']);
jestStep('unit tests', 'unit');
jestStep('CloudFormation template tests (npm run package, stages prod and dev)', 'template');
const dynaliteLeg = jestStep('integration tests on dynalite', 'integration', { DDB_ENGINE: 'dynalite' });
if (javaAvailable()) {
  jestStep('integration tests on DynamoDB Local', 'integration', { DDB_ENGINE: 'dynamodb-local' });
} else {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED: integration tests on DynamoDB Local — Java 17+ is not on the PATH.\n`
    + `!! Only dynalite was exercised. Install a JRE 17+ to run both engines (CI does).\n${line}\n`);
  // The DynamoDB Local leg is the same project (same files, same tests, same arguments) on the
  // other engine, so the dynalite leg's total is the number of tests it would have run.
  addSkippedLeg(totals, dynaliteLeg);
}
jestStep('end-to-end tests over HTTP (serverless-offline + dynalite)', 'e2e');

rmSync(reports, { recursive: true, force: true });
console.log(`\n${summaryLine(totals)}`);
