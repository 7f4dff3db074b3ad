// serverless.yml as plain data, the single source of truth that `npm start`, the tests and the
// bench read for the table, the functions and their build settings. Read once per process;
// `${...}` variables are left unresolved.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';

export const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));

// CloudFormation short-form intrinsics. Without them yaml only warns and drops the tag, but
// mapping them to their long form keeps the parsed document faithful wherever they appear.
const INTRINSICS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue',
  'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or'];
const cfnTags = INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
});

/** custom.esbuild: the settings serverless-esbuild builds the bundles with. */
export interface EsbuildSettings {
  minify?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'cjs' | 'esm';
  mainFields?: string[];
  alias?: Record<string, string>;
}

export interface ServerlessFunction {
  handler: string;
  environment?: Record<string, unknown>;
  events?: { httpApi?: { method: string; path: string; authorizer?: unknown } }[];
}

export interface ServerlessConfig {
  service?: string;
  functions: Record<string, ServerlessFunction>;
  custom: { esbuild: EsbuildSettings };
  resources?: { Resources?: Record<string, { Properties?: unknown }> };
}

let config: ServerlessConfig | undefined;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readServerlessConfig(): ServerlessConfig {
  config ??= withoutOptionalParts(parse(readFileSync(SERVERLESS_YML, 'utf8'), { customTags: cfnTags }) as Record<string, unknown>);
  return config;
}

/**
 * The parts a stage parameter adds (a function or a list item that is still a `${...}` string
 * here) are left out: `functions` keeps the functions written out, and a `resources` list becomes
 * its written-out parts (as the framework merges them; each key appears in one part only).
 */
function withoutOptionalParts(raw: Record<string, unknown>): ServerlessConfig {
  const functions = Object.fromEntries(Object.entries(raw.functions as Record<string, unknown>).filter(([, fn]) => isObject(fn)));
  const resources = Array.isArray(raw.resources) ? Object.assign({}, ...raw.resources.filter(isObject)) : raw.resources;
  return { ...raw, functions, resources } as ServerlessConfig;
}
