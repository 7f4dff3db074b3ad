// The admin console's build (console/, docs/design.md#the-admin-console): its TypeScript and CSS
// bundled by esbuild into one script and one stylesheet with content-hashed names, kept in memory.
// The `console` function carries the result in its own bundle (consoleSitePlugin below, used by
// serverless-esbuild through scripts/esbuild-plugins.ts); the tests and the bench build it the
// same way. `node scripts/console.ts` prints the assets and their sizes.
import { build, type Plugin } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readServerlessConfig } from './serverless-config.ts';
import type { ConsoleAssets } from '../lib/console/site.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The import through which handlers/console.ts receives the built assets. */
export const CONSOLE_ASSETS_MODULE = 'virtual:console-assets';

/**
 * Whether serverless.yml routes the Data App API (GET /api/v2/data-app): the console shows its
 * Data Apps view only then, so that it never offers what the stack does not serve.
 */
export const dataAppRoutesDeployed = (): boolean =>
  Object.values(readServerlessConfig().functions).some((fn) =>
    (fn.events ?? []).some(({ httpApi }) => httpApi?.method.toUpperCase() === 'GET' && httpApi.path === '/api/v2/data-app'));

export interface ConsoleBuildOptions {
  /** Show the Data Apps view; by default, whether serverless.yml routes the Data App API. */
  readonly dataApps?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Builds console/src into its hashed assets, in memory. */
export async function buildConsole(options: ConsoleBuildOptions = {}): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: { console: 'console/src/main.tsx' },
    absWorkingDir: root,
    outdir: 'out',
    // Served under /console/assets/; the hash is of the content, so a name never changes meaning.
    entryNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers that run ES modules and the CSS the console uses (custom properties, :focus-visible).
    target: ['chrome111', 'firefox115', 'safari16.4', 'edge111'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: 'console/tsconfig.json',
    define: { DATA_APPS_ENABLED: String(options.dataApps ?? dataAppRoutesDeployed()) },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: Record<string, { contentType: string; body: string }> = {};
  let script: string | undefined;
  let stylesheet: string | undefined;
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/assets/') + 1);
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) throw new Error(`the console build wrote ${name}, which it does not know how to serve`);
    files[name] = { contentType, body: file.text };
    if (extension === '.js') script = name;
    else stylesheet = name;
  }
  if (!script || !stylesheet) throw new Error(`the console build wrote no script or no stylesheet: ${Object.keys(files).join(', ')}`);
  return { script, stylesheet, files };
}

/** The assets as `import assets from 'virtual:console-assets'` (handlers/console.ts) sees them. */
export function consoleAssetsPlugin(options: ConsoleBuildOptions = {}): Plugin {
  return {
    name: 'console-assets',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^virtual:console-assets$/ }, ({ path }) => ({ path, namespace: 'console-assets' }));
      esbuild.onLoad({ filter: /.*/, namespace: 'console-assets' }, async () => ({
        contents: `export default ${JSON.stringify(await buildConsole(options))};`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/** Gzip-compressed bytes of an asset (what the 60 KB budget counts: docs/design.md). */
export const gzippedBytes = (body: string): number => gzipSync(body, { level: 9 }).length;

// No top-level await: serverless-esbuild require()s this module (through scripts/esbuild-plugins.ts),
// and Node's require() of an ES module refuses one that awaits at its top level.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void buildConsole().then(({ files }) => {
    for (const [name, { body }] of Object.entries(files)) {
      console.log(`${name.padEnd(36)} ${String(Buffer.byteLength(body)).padStart(7)} B  ${String(gzippedBytes(body)).padStart(6)} B gzip`);
    }
  });
}
