// Builds each function's production bundle the way serverless-esbuild does (settings read from
// serverless.yml's custom.esbuild) and reports its size and which source files went into it.
// `node scripts/bundles.ts` prints the table; the tests use bundleReport() to check contents.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface EsbuildSettings {
  minify?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'cjs' | 'esm';
  mainFields?: string[];
  alias?: Record<string, string>;
}

/** The esbuild options serverless-esbuild derives from custom.esbuild (the ones that shape the output). */
export function esbuildOptions(settings: EsbuildSettings) {
  return {
    minify: settings.minify ?? true,
    target: settings.target ?? 'node24',
    platform: settings.platform ?? 'node',
    format: settings.format ?? 'cjs',
    ...(settings.mainFields ? { mainFields: settings.mainFields } : {}),
    ...(settings.alias ? { alias: settings.alias } : {}),
  } as const;
}

export interface BundleReport {
  readonly fn: string;
  readonly bytes: number;
  /** Source files (repository-relative) and packages that ended up in the bundle. */
  readonly inputs: readonly string[];
}

/** The functions and esbuild settings of serverless.yml. */
export function serverless(): {
  functions: Record<string, { handler: string; environment?: Record<string, unknown> }>;
  custom: { esbuild: EsbuildSettings };
} {
  // Only plain keys are read here; CloudFormation tags elsewhere in the file are irrelevant to it.
  return parse(readFileSync(`${root}/serverless.yml`, 'utf8'), { logLevel: 'silent' });
}

/** A function's own environment in serverless.yml, literal values only (not `${…}` references). */
export function literalEnvironment(fn: string): Record<string, string> {
  const environment = serverless().functions[fn]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !entry[1].includes('${')),
  );
}

export async function bundleReport(): Promise<BundleReport[]> {
  const { functions, custom } = serverless();
  const reports: BundleReport[] = [];
  for (const [fn, { handler }] of Object.entries(functions)) {
    const entry = `${root}/${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      ...esbuildOptions(custom.esbuild),
      logLevel: 'silent',
    });
    const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0);
    reports.push({ fn, bytes, inputs: Object.keys(result.metafile.inputs) });
  }
  return reports;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { fn, bytes } of await bundleReport()) {
    console.log(`${fn.padEnd(24)} ${(bytes / 1024).toFixed(0).padStart(5)} KiB`);
  }
}
