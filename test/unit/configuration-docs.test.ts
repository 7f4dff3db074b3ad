import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { configVariables } from '../../lib/runtime/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The table of the functions' variables in docs/deployment.md: name → the default column's text.
 * It is the first table of the Configuration section, which ends at the next heading.
 */
function documentedTable(): Map<string, string> {
  const lines = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8').split('\n');
  const start = lines.indexOf('## Configuration');
  if (start < 0) throw new Error('docs/deployment.md has no "## Configuration" section');
  const end = lines.findIndex((line, i) => i > start && /^#{1,6} /.test(line));
  const section = lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]*) \|/gm)];
  return new Map(rows.map(([, name, fallback]) => [name!, fallback!.trim()]));
}

describe('the configuration table in docs/deployment.md', () => {
  const table = documentedTable();

  it('lists exactly the variables the code reads (plus Powertools\' log level)', () => {
    expect([...table.keys()].sort()).toEqual([...Object.keys(configVariables()), 'POWERTOOLS_LOG_LEVEL'].sort());
  });

  it('states the defaults the code applies', () => {
    for (const [name, fallback] of Object.entries(configVariables())) {
      if (fallback === undefined || Array.isArray(fallback)) continue;
      expect({ name, documented: table.get(name) }).toEqual({ name, documented: `\`${String(fallback)}\`` });
    }
  });
});

describe('a misconfigured deployment', () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
    bundle = join(dir, 'createServiceToken.cjs');
    const result = await build({
      entryPoints: [join(root, 'handlers', 'createServiceToken.ts')],
      bundle: true, platform: 'node', format: 'cjs', target: 'node24', write: false, logLevel: 'silent',
    });
    writeFileSync(bundle, result.outputFiles[0]!.contents);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads the production bundle as Lambda would at cold start, with only `env`. */
  function coldStart(env: Record<string, string>): string {
    try {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)})`], { env, stdio: 'pipe' });
      return 'loaded';
    } catch (error) {
      return String((error as { stderr: Buffer }).stderr);
    }
  }

  it.each([
    [{ JWT_SECRET_FILE: '/s' }, 'Invalid configuration: TABLE_NAME is required'],
    [{ TABLE_NAME: 'admin-table', JWT_SECRET_FILE: '/s', JWT_TTL_SECONDS: 'an hour' }, 'Invalid configuration: JWT_TTL_SECONDS must be a number'],
    [{ TABLE_NAME: 'admin-table' }, 'Invalid configuration: one of JWT_SECRET_FILE (local) or JWT_SECRET_ARN (AWS) must be set'],
  ])('fails its cold start naming the variable: %j', (env, message) => {
    expect(coldStart(env)).toContain(message);
  });

  it('loads when the configuration is valid (the control)', () => {
    expect(coldStart({ TABLE_NAME: 'admin-table', JWT_SECRET_FILE: '/s' })).toBe('loaded');
  });
});
