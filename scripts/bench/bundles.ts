// The functions' production bundles (scripts/bundles.ts builds them as serverless-esbuild does),
// plus the "floor": a bundle holding only the DynamoDB document client and its construction, exactly as
// lib/aws/dynamodb.ts builds it. Every cold-start figure is a ratio to that floor.
import type { Metafile } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, buildFunctionBundles, type BuildOptions, type BuiltBundle } from '../bundles.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const FLOOR = 'floor (document client)';

/** Every function of serverless.yml, then the floor, written to `dir`. */
export async function buildBundles(dir: string, options: BuildOptions = {}): Promise<{ functions: BuiltBundle[]; floor: BuiltBundle }> {
  const functions = await buildFunctionBundles(dir, options);
  const floor = await buildBundle(FLOOR, join(root, 'scripts/bench/floor-entry.ts'), dir, options);
  return { functions, floor };
}

/**
 * The floor plus one more import, built with the production settings: what a dependency adds to a
 * cold start (`--explain`). `code` is a module body, resolved from the repository root.
 */
export async function buildVariant(name: string, code: string, dir: string): Promise<BuiltBundle> {
  const contents = `import { db } from './scripts/bench/floor-entry.ts';\n${code}\nexport { db };\n`;
  return buildBundle(name, { contents }, dir);
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
