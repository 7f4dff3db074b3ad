// The functions' production bundles (scripts/bundles.ts builds them as serverless-esbuild does),
// and the two references every cold-start figure is read against:
//  - the floor (floor-entry.ts): the DynamoDB document client with the SDK's defaults and one
//    command, built with FLOOR_SETTINGS, fixed here: esbuild as the functions are built, minus our
//    own choices (no alias, nothing of lib/). No change to lib/ or to custom.esbuild moves it, so
//    a saving applied to every function shows as a saving. The goals are ratios to it.
//  - hello world (hello-entry.ts): a handler that loads nothing, the physical floor of any Node.js
//    function (information).
import type { Metafile } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, buildFunctionBundles, type BuildOptions, type BuiltBundle } from '../bundles.ts';
import type { EsbuildSettings } from '../serverless-config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const FLOOR = 'floor (SDK defaults)';
export const HELLO = 'hello world';

/** The floor's build: CommonJS, ESM builds first, minified, node24, and nothing else. */
export const FLOOR_SETTINGS: EsbuildSettings = { minify: true, target: 'node24', platform: 'node', format: 'cjs', mainFields: ['module', 'main'] };

export interface Bundles {
  readonly functions: BuiltBundle[];
  readonly floor: BuiltBundle;
  readonly hello: BuiltBundle;
}

/** Every function of serverless.yml, then the floor and hello world, written to `dir`. */
export async function buildBundles(dir: string, options: BuildOptions = {}): Promise<Bundles> {
  const functions = await buildFunctionBundles(dir, options);
  const reference = { ...options, settings: FLOOR_SETTINGS };
  const floor = await buildBundle(FLOOR, join(root, 'scripts/bench/floor-entry.ts'), dir, reference);
  const hello = await buildBundle(HELLO, join(root, 'scripts/bench/hello-entry.ts'), dir, reference);
  return { functions, floor, hello };
}

/**
 * What a piece adds to a cold start (`--explain`): a module body (`code`, resolved from the
 * repository root) built with the production settings, on top of the functions' own DynamoDB
 * client (lib/aws/dynamodb.ts).
 */
export async function buildVariant(name: string, code: string, dir: string): Promise<BuiltBundle> {
  const client = `import { createDocumentClient } from './lib/aws/dynamodb.ts';\n` +
    `export const db = createDocumentClient({ region: process.env.AWS_REGION || 'us-east-1', dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined });\n`;
  return buildBundle(name, { contents: `${client}${code}\n` }, dir);
}

/** The floor's own entry built with the production settings: what custom.esbuild alone saves. */
export async function buildFloorWithProductionSettings(name: string, dir: string): Promise<BuiltBundle> {
  return buildBundle(name, join(root, 'scripts/bench/floor-entry.ts'), dir);
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
