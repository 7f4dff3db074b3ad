import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUSTOM_PARAMS, CUSTOM_STAGE, PACKAGING_ENV } from './template.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run package` (scripts/package.ts) with `args`; its output is shown only if it fails. */
function packageStack(args: string[], env: Record<string, string>): void {
  const { status, signal, stdout, stderr } = spawnSync(process.execPath, [join(root, 'scripts', 'package.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (status !== 0) {
    throw new Error(`npm run package ${args.join(' ')} failed (${signal ?? `exit ${status}`}):\n${stdout}\n${stderr}`);
  }
}

/** Where setup leaves the answer of `npm run package` for a stage that rotates the signing key daily. */
export const REFUSED_ROTATION_FILE = 'refused-rotation.json';

/** Where setup leaves the answer of `npm run package` for a claimMode that does not exist. */
export const REFUSED_CLAIM_MODE_FILE = 'refused-claim-mode.json';

/** Where, inside the dev template's folder, setup packages stage dev with the published service token. */
export const PUBLISHED_TOKEN_DIR = 'service-token-secret';

/**
 * Packages the stack once per run, offline, as `npm run package` does: stage dev, stage dev with
 * `--param serviceTokenSecret=true` (inside dev's folder, PUBLISHED_TOKEN_DIR), a dev stage whose
 * signing key would rotate every day (which must fail), and a stage with every per-stage parameter
 * changed (template.ts, CUSTOM_PARAMS) into temporary folders first (every packaging empties
 * .serverless/), then stage prod into .serverless/, the artifact `npm run package` leaves behind.
 */
export default function setup(): void {
  const devDir = mkdtempSync(join(tmpdir(), 'template-dev-'));
  process.env.TEMPLATE_DEV_DIR = devDir;
  packageStack(['--stage', 'dev', '--package', devDir], PACKAGING_ENV.dev);
  packageStack(['--stage', 'dev', '--param', 'serviceTokenSecret=true', '--package', join(devDir, PUBLISHED_TOKEN_DIR)], PACKAGING_ENV.dev);
  const refusedDir = mkdtempSync(join(tmpdir(), 'template-refused-'));
  const refusal = (param: string) => {
    const { status, stdout, stderr } = spawnSync(process.execPath, [
      join(root, 'scripts', 'package.ts'), '--stage', 'dev', '--package', refusedDir, '--param', param,
    ], { cwd: root, encoding: 'utf8' });
    rmSync(refusedDir, { recursive: true, force: true });
    return { status, stdout, stderr };
  };
  const { status, stderr } = refusal('signingKeyRotationDays=1');
  writeFileSync(join(devDir, REFUSED_ROTATION_FILE), JSON.stringify({ status, stderr }));
  writeFileSync(join(devDir, REFUSED_CLAIM_MODE_FILE), JSON.stringify(refusal('claimMode=firstCaller')));
  const customDir = mkdtempSync(join(tmpdir(), 'template-custom-'));
  process.env.TEMPLATE_CUSTOM_DIR = customDir;
  const params = Object.entries(CUSTOM_PARAMS).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  packageStack(['--stage', CUSTOM_STAGE, '--package', customDir, ...params], PACKAGING_ENV.custom);
  packageStack([], PACKAGING_ENV.prod);
}
