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
  const bundles = new Map<string, string>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
    for (const fn of ['createServiceToken', 'createAdminAccount', 'recoverAdminAccess']) {
      const bundle = join(dir, `${fn}.cjs`);
      const result = await build({
        entryPoints: [join(root, 'handlers', `${fn}.ts`)],
        bundle: true, platform: 'node', format: 'cjs', target: 'node24', write: false, logLevel: 'silent',
      });
      writeFileSync(bundle, result.outputFiles[0]!.contents);
      bundles.set(fn, bundle);
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads a production bundle as Lambda would at cold start, with only `env`. */
  function coldStart(env: Record<string, string>, fn = 'createServiceToken'): string {
    try {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(bundles.get(fn))})`], { env, stdio: 'pipe' });
      return 'loaded';
    } catch (error) {
      return String((error as { stderr: Buffer }).stderr);
    }
  }

  it.each([
    [{}, 'Invalid configuration: CLAIM_MODE is required (setupCode, iam or open)'],
    [{ CLAIM_MODE: 'anyone' }, 'Invalid configuration: CLAIM_MODE must be one of [setupCode, iam, open]'],
    [{ CLAIM_MODE: 'setupCode' }, 'Invalid configuration: CLAIM_MODE setupCode needs SETUP_CODE_SECRET_ARN'],
  ])('createAdminAccount refuses to start without a valid claim mode: %j', (env, message) => {
    const valid = { TABLE_NAME: 'admin-table', JWT_SECRET_FILE: '/s' };
    expect(coldStart({ ...valid, ...env }, 'createAdminAccount')).toContain(message);
    expect(coldStart({ ...valid, CLAIM_MODE: 'open' }, 'createAdminAccount')).toBe('loaded');
  });

  it('recoverAdminAccess starts without a signing secret (it has none); the JWT functions do not', () => {
    expect(coldStart({ TABLE_NAME: 'admin-table' }, 'recoverAdminAccess')).toBe('loaded');
    expect(coldStart({ TABLE_NAME: 'admin-table' }, 'createServiceToken')).toContain('one of JWT_SECRET_FILE (local) or JWT_SECRET_ARN (AWS) must be set');
  });

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
