import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run package` (scripts/package.ts) with `args`; its output is shown only if it fails. */
function packageStack(args: string[]): void {
  const { status, signal, stdout, stderr } = spawnSync(process.execPath, [join(root, 'scripts', 'package.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  if (status !== 0) {
    throw new Error(`npm run package ${args.join(' ')} failed (${signal ?? `exit ${status}`}):\n${stdout}\n${stderr}`);
  }
}

/** Where, inside the dev template's folder, setup packages stage dev with the published service token. */
export const PUBLISHED_TOKEN_DIR = 'service-token-secret';

/**
 * Packages the stack once per run, offline, as `npm run package` does: stage dev into a temporary
 * folder first (every packaging empties .serverless/), then stage dev with
 * `--param serviceTokenSecret=true` into PUBLISHED_TOKEN_DIR inside it, then stage prod into
 * .serverless/, the artifact `npm run package` leaves behind.
 */
export default function setup(): void {
  const devDir = mkdtempSync(join(tmpdir(), 'template-dev-'));
  process.env.TEMPLATE_DEV_DIR = devDir;
  packageStack(['--stage', 'dev', '--package', devDir]);
  packageStack(['--stage', 'dev', '--param', 'serviceTokenSecret=true', '--package', join(devDir, PUBLISHED_TOKEN_DIR)]);
  packageStack([]);
}
