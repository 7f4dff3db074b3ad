import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The structure of lib/ and handlers/ as lib/README.md states it: no import cycles (type imports
 * included: a cycle of types is still a knot a reader has to untie), and no lean file importing a
 * full one.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

type Graph = Map<string, string[]>;

/** Each file's relative imports (and re-exports), resolved to repository paths. */
export function importGraph(files: Record<string, string>): Graph {
  const graph: Graph = new Map();
  for (const [file, text] of Object.entries(files)) {
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.{1,2}\/[^']+)'/g)]
      .map((match) => normalize(join(dirname(file), match[1]!)));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle's files, found by depth-first search (each cycle reported once, from its first file). */
export function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const isLean = (file: string) => file.endsWith('.lean.ts');
const fullCounterparts = ['lib/http/operation.ts', 'lib/runtime/config.ts', 'lib/runtime/app.ts'];

/** Imports from a lean file into the full side: a full counterpart, the admin side, or a body schema. */
export function leanViolations(graph: Graph): string[] {
  return [...graph].flatMap(([file, targets]) =>
    isLean(file)
      ? targets
        .filter((t) => fullCounterparts.includes(t) || t.startsWith('lib/admin/') || t.endsWith('/bodies.ts'))
        .map((t) => `${file} -> ${t}`)
      : [],
  );
}

const files = Object.fromEntries([...sources('lib'), ...sources('handlers')].map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const graph = importGraph(files);

it('finds the imports of lib/ and handlers/ (the control: the authorizer imports its runtime)', () => {
  expect(graph.get('handlers/serviceTokenAuthorizer.ts')).toContain('lib/runtime/token-runtime.lean.ts');
  expect(graph.get('lib/runtime/app.ts')).toContain('lib/runtime/token-runtime.lean.ts');
});

it('has no import cycle in lib/ and handlers/', () => {
  expect(cycles(graph)).toEqual([]);
});

it('keeps every lean file off the full side', () => {
  expect(leanViolations(graph)).toEqual([]);
});

it('would see a cycle and a lean file reaching for the full side (the checks can fail)', () => {
  const injected = importGraph({
    'lib/a.ts': "import { b } from './b.ts';",
    'lib/b.ts': "import type { a } from './a.ts';",
    'lib/x.lean.ts': "import { loadConfig } from './runtime/config.ts';\nimport { y } from './admin/jwt.ts';",
  });
  expect(cycles(injected)).toEqual([['lib/a.ts', 'lib/b.ts']]);
  expect(leanViolations(injected)).toEqual(['lib/x.lean.ts -> lib/runtime/config.ts', 'lib/x.lean.ts -> lib/admin/jwt.ts']);
});
