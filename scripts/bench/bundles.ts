// The functions' production bundles, built as serverless-esbuild builds them (the settings of
// serverless.yml custom.esbuild, as scripts/bundles.ts reads them), written as .cjs files, plus the
// "floor": a bundle holding only the DynamoDB document client and its construction, exactly as
// lib/store/client.ts builds it. Every cold-start figure is a ratio to that floor.
import { build, type Metafile } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildOptions, serverless, type EsbuildSettings } from '../bundles.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const FLOOR = 'floor (document client)';

export interface BuiltBundle {
  readonly fn: string;
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

export interface BuildOptions {
  /** Also write `<bundle>.map` (for profiles; the production build has none). */
  readonly sourcemap?: boolean;
}

async function bundle(fn: string, entry: string | { contents: string }, settings: EsbuildSettings, dir: string,
  options: BuildOptions = {}): Promise<BuiltBundle> {
  const file = join(dir, `${fn.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.cjs`);
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: root, sourcefile: `${fn}.ts`, loader: 'ts' as const } }),
    outfile: file,
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    ...esbuildOptions(settings),
    ...(options.sourcemap ? { sourcemap: 'external' as const } : {}),
    logLevel: 'silent',
  });
  const output = result.outputFiles.find((f) => f.path === file);
  if (!output) throw new Error(`${fn}: esbuild wrote no ${file}`);
  for (const written of result.outputFiles) writeFileSync(written.path, written.contents);
  return { fn, file, bytes: output.contents.length, metafile: result.metafile };
}

/** Every function of serverless.yml, then the floor, written to `dir`. */
export async function buildBundles(dir: string, options: BuildOptions = {}): Promise<{ functions: BuiltBundle[]; floor: BuiltBundle }> {
  const { functions, custom } = serverless();
  const built: BuiltBundle[] = [];
  for (const [fn, { handler }] of Object.entries(functions)) {
    built.push(await bundle(fn, join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`), custom.esbuild, dir, options));
  }
  const floor = await bundle(FLOOR, join(root, 'scripts/bench/floor-entry.ts'), custom.esbuild, dir, options);
  return { functions: built, floor };
}

/** Any entry file built with the production settings (e.g. a proposed variant of a handler). */
export async function buildEntry(name: string, entry: string, dir: string): Promise<BuiltBundle> {
  return bundle(name, entry, serverless().custom.esbuild, dir);
}

/**
 * The floor plus one more import, built with the production settings: what a dependency adds to a
 * cold start (`--explain`). `code` is a module body, resolved from the repository root.
 */
export async function buildVariant(name: string, code: string, dir: string): Promise<BuiltBundle> {
  const contents = `import { db } from './scripts/bench/floor-entry.ts';\n${code}\nexport { db };\n`;
  return bundle(name, { contents }, serverless().custom.esbuild, dir);
}

/** Output bytes per package (or `lib/`, `handlers/`) in a bundle, largest first. */
export function bytesByPackage(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1]! : input.split('/')[0]!;
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...sizes].sort((a, b) => b[1] - a[1]));
}
