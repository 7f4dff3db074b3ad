#!/usr/bin/env node
// The CLI's entry point (cli/main.ts), plain JavaScript so that any Node can start it. The CLI is
// TypeScript that Node 24 runs as is (it strips the types); `npm exec databrain-admin` puts the
// pinned Node 24 (node_modules/.bin/node) first on the PATH, so this file then just loads it. Started
// by an older Node (./bin/databrain-admin.js with the machine's Node first on the PATH), it runs the
// CLI on the pinned Node instead, with the same arguments, standard streams and exit status.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

if (Number(process.versions.node.split('.')[0]) >= 24) {
  await import(main);
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  const child = spawnSync(pinned, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`databrain-admin: needs Node 24 (this is ${process.version}) and could not start ${pinned}: `
      + `${child.error.message}. Run npm ci in the repository first.\n`);
    process.exit(3);
  }
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
