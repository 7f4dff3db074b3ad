// The command line's version, and the User-Agent it sends. The packaged bundle has the version
// written in by scripts/pack-cli.ts (esbuild `define`); from a clone, it is package.json's.
import { readFileSync } from 'node:fs';

declare const DATABRAIN_ADMIN_VERSION: string | undefined;

function fromPackageJson(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}

export const VERSION: string = typeof DATABRAIN_ADMIN_VERSION === 'string' ? DATABRAIN_ADMIN_VERSION : fromPackageJson();

/** Sent with every HTTP request (and appended to the AWS SDK's): what the audit trail's userAgent shows. */
export const USER_AGENT = `databrain-admin/${VERSION}`;
