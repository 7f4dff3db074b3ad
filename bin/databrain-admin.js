#!/usr/bin/env node
// The CLI's entry point inside a clone (cli/main.ts), plain JavaScript so that any Node can start
// it. The CLI is TypeScript, which Node runs as is where it strips types (24, and 22.18 on);
// `npm exec databrain-admin` puts the pinned Node 24 (node_modules/.bin/node) first on the PATH, so
// this file then just loads it. Started by an older Node, it runs the CLI on the pinned Node
// instead, with the same arguments, standard streams and exit status. Outside a clone, the
// packaged command line (npm run pack-cli, docs/pipelines.md) needs nothing but Node 20 or later.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

if (process.features.typescript) {
  await import(main);
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    // A clone installed without its dev dependencies (npm ci --omit=dev), or not installed at all.
    process.stderr.write(`databrain-admin: this copy runs on Node 24 (this is ${process.version}), which a clone's dev dependencies `
      + 'provide: run npm ci (not --omit=dev) here, or install the packaged command line, which runs on Node 20 or later: '
      + 'npm run pack-cli, then npm install -g dist/databrain-admin-<version>.tgz (docs/pipelines.md, "Installing databrain-admin")\n');
    process.exit(2);
  }
  const child = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`databrain-admin: could not start ${pinned}: ${child.error.message}\n`);
    process.exit(2);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
