// `npm run package`: the deployment artifacts and the CloudFormation template
// (.serverless/cloudformation-template-update-stack.json) of stage prod, or of the `--stage` given;
// other arguments go to `serverless package` (e.g. `--package <dir>`).
// serverless-esbuild bundles in .esbuild/package and deletes it when done; a running `npm start`
// bundles in its own .esbuild/start-<pid> (serverless.yml, custom.esbuild.outputWorkFolder).
//
// Packaging needs no AWS account. Dummy credentials replace whatever the shell has, so it works on a
// machine without any AWS configuration and never reaches a real account (a variable that would have
// to look something up in AWS fails loudly instead).
//
// Then it checks the template's parameters against their own bounds, as CloudFormation would at
// deployment, and fails with their constraint description: e.g. a stage parameter
// signingKeyRotationDays below 2 (serverless.yml).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const stageGiven = args.some((arg) => arg === '--stage' || arg === '-s' || arg.startsWith('--stage='));

const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
delete env.AWS_SESSION_TOKEN;
delete env.AWS_PROFILE;

// process.execPath: the Node 24 this runs on, whatever `node` the PATH has.
const { status, signal } = spawnSync(
  process.execPath,
  [join(root, 'node_modules', '.bin', 'serverless'), 'package', ...(stageGiven ? [] : ['--stage', 'prod']), ...args],
  { cwd: root, env, stdio: 'inherit' },
);
if (status !== 0) {
  console.error(`npm run package: serverless package failed (${signal ?? `exit ${status}`})`);
  process.exit(status ?? 1);
}

interface Parameter {
  Type: string;
  Default?: unknown;
  MinValue?: number;
  MaxValue?: number;
  ConstraintDescription?: string;
}

/** The output folder: `--package <dir>` (or `--package=<dir>`), else .serverless. */
function outputDir(): string {
  const at = args.findIndex((arg) => arg === '--package' || arg.startsWith('--package='));
  const given = at < 0 ? undefined : args[at]!.includes('=') ? args[at]!.slice('--package='.length) : args[at + 1];
  return resolve(root, given ?? '.serverless');
}

const template = JSON.parse(readFileSync(join(outputDir(), 'cloudformation-template-update-stack.json'), 'utf8')) as {
  Parameters?: Record<string, Parameter>;
};
const refused = Object.entries(template.Parameters ?? {}).filter(([, { Type, Default, MinValue, MaxValue }]) => {
  if (Type !== 'Number' || Default === undefined) return false;
  const value = Number(Default);
  return !Number.isFinite(value) || (MinValue !== undefined && value < MinValue) || (MaxValue !== undefined && value > MaxValue);
});
for (const [name, { Default, ConstraintDescription }] of refused) {
  console.error(`npm run package: ${name} is ${JSON.stringify(Default)}, which CloudFormation would refuse: it ${ConstraintDescription ?? 'is out of bounds'}`);
}
process.exit(refused.length > 0 ? 1 : 0);
