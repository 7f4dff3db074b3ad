// `npm run pack-cli`: the command line as a package of its own, dist/databrain-admin-<version>.tgz:
// one bundled file (esbuild: cli/ and the AWS SDK clients it uses) and a package.json without
// dependencies, for Node 20 or later. `npm install -g dist/databrain-admin-<version>.tgz` on a
// machine with only Node gives a working `databrain-admin` (docs/pipelines.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
/** The oldest Node the package runs on; the e2e suite runs it on this machine's Node too. */
export const MIN_NODE = 20;
export const BIN = 'databrain-admin.mjs';
export const tarballName = (v: string = version): string => `databrain-admin-${v}.tgz`;

export async function packCli(dist = join(root, 'dist')): Promise<string> {
  const stage = mkdtempSync(join(tmpdir(), 'pack-cli-'));
  try {
    await build({
      entryPoints: [join(root, 'cli', 'main.ts')],
      outfile: join(stage, BIN),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${MIN_NODE}`,
      // The AWS SDK's ESM builds tree-shake (as the functions' bundles, serverless.yml).
      mainFields: ['module', 'main'],
      minify: true,
      legalComments: 'none',
      define: { DATABRAIN_ADMIN_VERSION: JSON.stringify(version) },
      // Bundled CommonJS code (in the SDK) may require() Node's built-ins: an ES module has no
      // require of its own, so the bundle makes one.
      banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify({
      name: 'databrain-admin',
      version,
      description: 'The command line of the Databrain-compatible self-hosted admin API: claim, sign in, service tokens, recovery',
      // Installed from the file, never published to a registry.
      private: true,
      license: 'UNLICENSED',
      type: 'module',
      bin: { 'databrain-admin': BIN },
      files: [BIN],
      engines: { node: `>=${MIN_NODE}` },
    }, null, 2)}\n`);
    writeFileSync(join(stage, 'README.md'), `# databrain-admin ${version}\n\nThe command line of the Databrain-compatible self-hosted admin API, for pipelines and operators.\nOne file, no dependencies, Node ${MIN_NODE} or later. \`databrain-admin --help\` lists the commands;\nthe repository's docs/pipelines.md describes them.\n`);
    mkdirSync(dist, { recursive: true });
    const packed = spawnSync('npm', ['pack', '--pack-destination', dist, '--silent'], { cwd: stage, encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`npm pack failed (${packed.signal ?? packed.status}):\n${packed.stderr}`);
    return join(dist, tarballName());
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tarball = await packCli();
  console.log(`${tarball} (${(statSync(tarball).size / 1024).toFixed(0)} KiB): npm install -g ${tarball}`);
}
