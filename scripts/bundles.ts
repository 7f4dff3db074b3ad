// Builds each function's production bundle the way serverless-esbuild does (settings read from
// serverless.yml's custom.esbuild), written as .cjs files, as Lambda loads them. The tests check
// what went into each bundle and load them; scripts/bench/ measures them.
// `node scripts/bundles.ts` prints each bundle's size.
import { build, type Metafile } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServerlessConfig, type EsbuildSettings } from './serverless-config.ts';
import plugins from './esbuild-plugins.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A function's own environment in serverless.yml, literal values only (not `${…}` references). */
export function literalEnvironment(fn: string): Record<string, string> {
  const environment = readServerlessConfig().functions[fn]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !entry[1].includes('${')),
  );
}

export interface BuiltBundle {
  readonly fn: string;
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

export interface BuildOptions {
  /** Also write `<bundle>.map` (for profiles; the production build has none). */
  readonly sourcemap?: boolean;
  /** Other esbuild settings than serverless.yml's custom.esbuild (the bench's fixed reference). */
  readonly settings?: EsbuildSettings;
}

/** Source files (repository-relative) and packages that ended up in a bundle. */
export const inputsOf = (bundle: BuiltBundle): string[] => Object.keys(bundle.metafile.inputs);

/**
 * One bundle built with the production settings (or `options.settings`), written to `dir`: an
 * entry file, or a module body (`contents`, resolved from the repository root).
 */
export async function buildBundle(name: string, entry: string | { contents: string }, dir: string,
  options: BuildOptions = {}): Promise<BuiltBundle> {
  const settings = options.settings ?? readServerlessConfig().custom.esbuild;
  const file = join(dir, `${name.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.cjs`);
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: root, sourcefile: `${name}.ts`, loader: 'ts' as const } }),
    outfile: file,
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    // The options serverless-esbuild passes on from custom.esbuild that shape the output.
    minify: settings.minify ?? true,
    target: settings.target ?? 'node24',
    platform: settings.platform ?? 'node',
    format: settings.format ?? 'cjs',
    ...(settings.mainFields ? { mainFields: settings.mainFields } : {}),
    ...(settings.alias ? { alias: settings.alias } : {}),
    ...(options.sourcemap ? { sourcemap: 'external' as const } : {}),
    // custom.esbuild.plugins: the admin console's assets, for the console function.
    plugins,
    logLevel: 'silent',
  });
  const output = result.outputFiles.find((f) => f.path === file);
  if (!output) throw new Error(`${name}: esbuild wrote no ${file}`);
  for (const written of result.outputFiles) writeFileSync(written.path, written.contents);
  return { fn: name, file, bytes: output.contents.length, metafile: result.metafile };
}

/** Every function of serverless.yml, written to `dir`. */
export async function buildFunctionBundles(dir: string, options: BuildOptions = {}): Promise<BuiltBundle[]> {
  const built: BuiltBundle[] = [];
  for (const [fn, { handler }] of Object.entries(readServerlessConfig().functions)) {
    built.push(await buildBundle(fn, join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`), dir, options));
  }
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
  try {
    for (const { fn, bytes } of await buildFunctionBundles(dir)) {
      console.log(`${fn.padEnd(24)} ${(bytes / 1024).toFixed(0).padStart(5)} KiB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
