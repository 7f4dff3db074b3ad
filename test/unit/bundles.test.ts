import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DUMMY_ENV } from '../../scripts/bench/dummy-env.ts';
import { buildBundle, buildFunctionBundles, inputsOf, type BuiltBundle } from '../../scripts/bundles.ts';
import { FLOOR_SETTINGS } from '../../scripts/bench/bundles.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const JOI_FUNCTIONS = [
  'createAdminAccount', 'createAdminJwt', 'createServiceToken', 'rotateServiceToken', 'listServiceTokens', 'revokeServiceToken', 'resetAdminPassword',
  'recoverAdminAccess',
];

/*
 * The production bundles, built once as serverless-esbuild builds them. The service-token
 * authorizer is on the path of every service-level request: it must not carry validation, JWT or
 * password code.
 */
let dir: string;
let built: BuiltBundle[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bundles-'));
  built = await buildFunctionBundles(dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = (fn: string): BuiltBundle => {
  const found = built.find((b) => b.fn === fn);
  if (!found) throw new Error(`no function ${fn} in serverless.yml`);
  return found;
};

describe.each(['serviceTokenAuthorizer', 'getServiceToken'])('the %s bundle', (fn) => {
  it('contains neither Joi, jose, nor the password code', () => {
    const inputs = inputsOf(bundle(fn));
    expect(inputs.some((file) => file.includes('node_modules/joi/'))).toBe(false);
    expect(inputs.some((file) => file.includes('node_modules/@hapi/'))).toBe(false);
    expect(inputs.some((file) => file.includes('node_modules/jose/'))).toBe(false);
    // Nothing of the admin side (passwords, JWTs, the account's own store) and no request bodies.
    expect(inputs.filter((file) => file.startsWith('lib/admin/') || file.endsWith('/bodies.ts'))).toEqual([]);
    expect(inputs).not.toContain('lib/wiring/routes.ts');
    expect(inputs).not.toContain('lib/wiring/app.ts');
    expect(inputs).not.toContain('lib/runtime/config.ts');
    // The control: it does carry what it needs.
    expect(inputs).toContain('lib/service-token/authenticate.ts');
    expect(inputs).toContain('lib/runtime/config.lean.ts');
  });
});

it('builds every function of serverless.yml', () => {
  expect(built.map((b) => b.fn).sort()).toEqual([
    'console', 'createAdminAccount', 'createAdminJwt', 'createServiceToken', 'getServiceToken', 'listServiceTokens',
    'recoverAdminAccess', 'resetAdminPassword', 'revokeServiceToken', 'rotateServiceToken', 'rotateSigningKey', 'serviceTokenAuthorizer',
  ]);
  for (const { bytes } of built) expect(bytes).toBeGreaterThan(0);
});

describe('Joi in the functions that validate bodies', () => {
  /*
   * `.messages()` and `.prefs()` on a schema check the preferences against Joi's own schemas
   * (joi/lib/schemas.js), whose first use builds all of them, at every cold start
   * (docs/performance.md). Messages go on rules (`.rule({ message })`) and validate() options instead.
   * Checked in a fresh Node process, where Joi's modules land in require.cache as they load.
   */
  it('never loads Joi\'s own schemas: not at module load, not in a validation', () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      for (const fn of ${JSON.stringify(JOI_FUNCTIONS)}) await import('./handlers/' + fn + '.ts');
      const a = await import('./lib/admin/bodies.ts');
      const t = await import('./lib/service-token/bodies.ts');
      const schemas = [a.signUpSchema(['gmail.com']), a.signInSchema(), t.createServiceTokenSchema(),
        t.rotateWithAdminSchema(), t.rotateWithTokenSchema(), t.revokeWithAdminSchema(), t.emptyBodySchema(), a.resetPasswordSchema(),
        a.recoverSchema()];
      const messages = schemas.map((schema) => schema.validate({ email: 'a@gmail.com', password: 'a b', token: 'x' }).error?.message);
      const loaded = Object.keys(require.cache).filter((f) => f.includes('/node_modules/joi/lib/'));
      process.stdout.write(JSON.stringify({ messages, loaded: loaded.map((f) => f.slice(f.indexOf('/joi/lib/') + 9)) }));
    `], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, ...DUMMY_ENV } });
    expect(child.stderr).toBe('');
    const { messages, loaded } = JSON.parse(child.stdout) as { messages: string[]; loaded: string[] };
    // The control: Joi did load, and the validations did fail with their messages.
    expect(loaded).toEqual(expect.arrayContaining(['index.js', 'validator.js', 'types/string.js']));
    expect(messages.every((m) => typeof m === 'string' && m.length > 0)).toBe(true);
    expect(loaded).not.toContain('schemas.js');
  });
});

describe('the production bundles at cold start', () => {
  /*
   * `import * as x from 'util'` in a dependency's ESM build becomes, in the CJS bundle, a copy of
   * node:util's property descriptors, and reading them loads every lazily loaded part of node:util
   * (worker_threads, util.parseArgs, util.diff, …) at every cold start (docs/performance.md). serverless.yml
   * aliases the one dependency that did it (@hapi/address) to its CommonJS build.
   */
  const builtIns = (file: string): string[] => {
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify(process.moduleLoadList))`],
      { encoding: 'utf8', env: { PATH: process.env.PATH, ...DUMMY_ENV } });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as string[];
  };

  it.each(JOI_FUNCTIONS)('%s does not read all of node:util (its lazily loaded parts stay unloaded)', (fn) => {
    const loaded = builtIns(bundle(fn).file);
    // The control: the bundle did load its built-ins (the SDK's HTTP handler needs an HTTP client).
    expect(loaded).toContain('NativeModule _http_client');
    expect(loaded).not.toContain('NativeModule worker_threads');
    expect(loaded).not.toContain('NativeModule internal/util/parse_args/parse_args');
  });
});


describe('AWS credentials in the production bundles', () => {
  /*
   * serverless.yml aliases the SDK's default credential chain to lib/aws/lambda-credentials.ts: the
   * environment only, where Lambda puts the execution role's credentials (docs/performance.md).
   */
  const CHAIN = ['credential-provider-node', 'credential-provider-ini', 'credential-provider-sso', 'credential-provider-process',
    'credential-provider-web-identity', 'credential-provider-http', 'credential-provider-imds', 'nested-clients'];

  it('carry the environment provider and none of the rest of the default chain', () => {
    // Every bundle that makes an AWS client; the console serves files and makes none.
    const clients = built.filter((b) => inputsOf(b).some((file) => file.includes('/@aws-sdk/client-')));
    expect(clients.map((b) => b.fn)).toContain('serviceTokenAuthorizer');
    for (const b of clients) {
      const inputs = inputsOf(b);
      expect({ fn: b.fn, provider: inputs.includes('lib/aws/lambda-credentials.ts') }).toEqual({ fn: b.fn, provider: true });
      expect({ fn: b.fn, chain: inputs.filter((file) => CHAIN.some((pkg) => file.includes(`/${pkg}/`))) }).toEqual({ fn: b.fn, chain: [] });
    }
  });

  it('resolve a client\'s credentials from the environment, and fail without them rather than look elsewhere', async () => {
    const probe = await buildBundle('credentials-probe', {
      contents: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
        const client = new DynamoDBClient({ region: 'eu-west-1' });
        client.config.credentials().then(
          (c) => process.stdout.write(JSON.stringify({ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken })),
          (e) => process.stdout.write(JSON.stringify({ error: e.name })));`,
    }, dir);
    const run = (env: Record<string, string>) => {
      const child = spawnSync(process.execPath, [probe.file], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
      expect(child.stderr).toBe('');
      return JSON.parse(child.stdout) as unknown;
    };
    expect(run({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' }))
      .toEqual({ accessKeyId: 'AKIDEXAMPLE', sessionToken: 'session' });
    // Without them: the SDK's error at once; a profile named in the environment is not looked for.
    expect(run({ AWS_PROFILE: 'someone' })).toEqual({ error: 'CredentialsProviderError' });
  }, 30_000);
});

describe('the bench\'s cold-start floor', () => {
  /*
   * A fixed reference (scripts/bench/bundles.ts): the SDK's document client with its defaults, built
   * without our choices, so that a saving in lib/ or in custom.esbuild never moves it.
   */
  it('holds nothing of lib/ and the SDK\'s own default credential chain', async () => {
    const floor = await buildBundle('floor', join(root, 'scripts/bench/floor-entry.ts'), dir, { settings: FLOOR_SETTINGS });
    const inputs = inputsOf(floor);
    expect(inputs.filter((file) => file.startsWith('lib/'))).toEqual([]);
    expect(inputs.some((file) => file.includes('/credential-provider-node/'))).toBe(true);
    expect(inputs.some((file) => file.includes('node_modules/@aws-sdk/lib-dynamodb/'))).toBe(true);
  }, 30_000);
});
