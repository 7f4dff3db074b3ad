import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The structure of lib/ and handlers/ as lib/README.md states it: every room (a folder of lib/, or
 * errors.ts) on its floor, importing only what the README's "may import" column allows; no import
 * cycles (type imports included: a cycle of types is still a knot a reader has to untie); no lean
 * file importing a full one; the composition root imported by handlers only.
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
const fullCounterparts = ['lib/wiring/routes.ts', 'lib/runtime/config.ts', 'lib/wiring/app.ts'];

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

interface Room {
  readonly floor: number;
  /** The rooms it may import; the README's "every room below" is spelled out. */
  readonly mayImport: readonly string[];
}

/** The floors table of lib/README.md: room → its floor and the rooms it may import. */
export function floorsOf(readme: string): Map<string, Room> {
  const section = readme.slice(readme.indexOf('## Floors'), readme.indexOf('\n## ', readme.indexOf('## Floors') + 1));
  const rows = [...section.matchAll(/^\| (\d+) \| `([^`]+)` \|[^\n]*\| ([^|\n]+) \|$/gm)].map(([, floor, room, may]) => ({
    room: room!, floor: Number(floor), may: may!,
  }));
  const rooms = new Map<string, Room>();
  for (const { room, floor, may } of rows) {
    const mayImport = may.includes('every room below')
      ? rows.filter((r) => r.floor < floor).map((r) => r.room)
      : [...may.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((r) => r !== 'lib/');
    rooms.set(room, { floor, mayImport });
  }
  return rooms;
}

/** `lib/admin/jwt.ts` → `admin/`; `lib/errors.ts` → `errors.ts`. */
const roomOf = (file: string): string => {
  const [, first, second] = file.split('/');
  return second === undefined ? first! : `${first}/`;
};

/** Imports between rooms of lib/ that the floors table does not allow, and files in no room of it. */
export function floorViolations(graph: Graph, rooms: Map<string, Room>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith('lib/')) continue;
    const from = roomOf(file);
    const room = rooms.get(from);
    if (!room) {
      found.push(`${file}: its room ${from} is on no floor of lib/README.md`);
      continue;
    }
    for (const target of targets) {
      const to = roomOf(target);
      if (target.startsWith('lib/') && to !== from && !room.mayImport.includes(to)) found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

/** Imports between rooms of lib/ from a floor to the same floor or a higher one. */
export function importsBackUp(graph: Graph, rooms: Map<string, Room>): string[] {
  return [...graph].flatMap(([file, targets]) => {
    const from = file.startsWith('lib/') ? rooms.get(roomOf(file)) : undefined;
    if (!from) return [];
    return targets
      .filter((t) => t.startsWith('lib/') && roomOf(t) !== roomOf(file) && (rooms.get(roomOf(t))?.floor ?? Infinity) >= from.floor)
      .map((t) => `${file} -> ${t}`);
  });
}

const compositionRoot = ['lib/wiring/app.ts', 'lib/wiring/token-runtime.lean.ts'];

/** Files outside handlers/ and lib/wiring/ that import the composition root. */
export function rootImporters(graph: Graph): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith('handlers/') || file.startsWith('lib/wiring/') ? [] : targets.filter((t) => compositionRoot.includes(t)).map((t) => `${file} -> ${t}`),
  );
}

const files = Object.fromEntries([...sources('lib'), ...sources('handlers')].map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const graph = importGraph(files);
const rooms = floorsOf(readFileSync(join(root, 'lib/README.md'), 'utf8'));

it('finds the imports of lib/ and handlers/, and the floors of lib/README.md (the control)', () => {
  expect(graph.get('handlers/serviceTokenAuthorizer.ts')).toContain('lib/wiring/token-runtime.lean.ts');
  expect(graph.get('lib/wiring/app.ts')).toContain('lib/wiring/token-runtime.lean.ts');
  expect(rooms.get('wiring/')?.floor).toBe(4);
  expect(rooms.get('errors.ts')).toStrictEqual({ floor: 1, mayImport: [] });
  expect(rooms.get('http/')?.mayImport).toStrictEqual(['errors.ts', 'observability/']);
  expect(rooms.size).toBe(10);
});

it('has no import cycle in lib/ and handlers/', () => {
  expect(cycles(graph)).toEqual([]);
});

it('keeps every lean file off the full side', () => {
  expect(leanViolations(graph)).toEqual([]);
});

it('keeps every room of lib/ to what lib/README.md says it may import', () => {
  expect(floorViolations(graph, rooms)).toEqual([]);
});

it('has no import running back up in lib/, and a floors table that allows none', () => {
  expect(importsBackUp(graph, rooms)).toEqual([]);
  // Every room a row allows is a room of the table, on a lower floor.
  const allowedUp = [...rooms].flatMap(([name, room]) =>
    room.mayImport.filter((allowed) => (rooms.get(allowed)?.floor ?? Infinity) >= room.floor).map((allowed) => `${name} -> ${allowed}`));
  expect(allowedUp).toEqual([]);
});

it('lets only handlers (and the wiring itself) import the composition root', () => {
  expect(rootImporters(graph)).toEqual([]);
});

it('would see a cycle, a lean file reaching for the full side, an import up and a misplaced root import (the checks can fail)', () => {
  const injected = importGraph({
    'lib/a.ts': "import { b } from './b.ts';",
    'lib/b.ts': "import type { a } from './a.ts';",
    'lib/x.lean.ts': "import { loadConfig } from './runtime/config.ts';\nimport { y } from './admin/jwt.ts';",
    'lib/runtime/clock.ts': "import type { AuditLog } from '../observability/audit.ts';",
    'lib/service-token/rotate.ts': "import type { App } from '../wiring/app.ts';\nimport { jwt } from '../admin/jwt.ts';",
    'lib/credentials/key-set.ts': "import { digestsEqual } from './secret.ts';",
  });
  expect(cycles(injected)).toEqual([['lib/a.ts', 'lib/b.ts']]);
  expect(leanViolations(injected)).toEqual(['lib/x.lean.ts -> lib/runtime/config.ts', 'lib/x.lean.ts -> lib/admin/jwt.ts']);
  expect(floorViolations(injected, rooms)).toEqual([
    'lib/a.ts: its room a.ts is on no floor of lib/README.md',
    'lib/b.ts: its room b.ts is on no floor of lib/README.md',
    'lib/x.lean.ts: its room x.lean.ts is on no floor of lib/README.md',
    'lib/runtime/clock.ts -> lib/observability/audit.ts',
    'lib/service-token/rotate.ts -> lib/wiring/app.ts',
    'lib/service-token/rotate.ts -> lib/admin/jwt.ts',
  ]);
  expect(importsBackUp(injected, rooms)).toEqual([
    'lib/runtime/clock.ts -> lib/observability/audit.ts',
    'lib/service-token/rotate.ts -> lib/wiring/app.ts',
    'lib/service-token/rotate.ts -> lib/admin/jwt.ts',
  ]);
  expect(rootImporters(injected)).toEqual(['lib/service-token/rotate.ts -> lib/wiring/app.ts']);
});
