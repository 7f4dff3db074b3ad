import { jest } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, packCli, tarballName } from '../../scripts/pack-cli.ts';
import { freePort, startLocalStack, type LocalStack } from '../support/local-stack.ts';

/*
 * The packaged command line (npm run pack-cli, docs/pipelines.md "Installing databrain-admin"):
 * packed, installed with `npm install -g --prefix <tmp>` offline from the tarball, from an empty
 * folder and with a PATH that has none of this repository's tools, then run on this machine's own
 * Node (through the bin's `#!/usr/bin/env node`) and on Node 24, against the real local stack.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const PASSWORD = 'Str0ng!Passw0rd-pkg';
const NEW_PASSWORD = 'Rec0vered!Passw0rd-pkg';
const admin = { firstName: 'Ada', email: 'ada@acme-pkg.com', companyName: 'Acme' };
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DEAD_TOKEN = 'the service token (DATABRAIN_SERVICE_TOKEN or --token-stdin) is not valid: unknown, revoked, or past its grace period';

// Hang guards, far above what a loaded machine needs: no test here bounds how fast anything is.
jest.setTimeout(180_000);

/** The PATH of a machine with only Node: none of this repository's node_modules/.bin (its Node 24). */
const machinePath = process.env.PATH!.split(':').filter((dir) => !dir.includes('node_modules')).join(':');
const machineNode = spawnSync('node', ['-p', 'process.versions.node'], { env: { PATH: machinePath }, encoding: 'utf8' }).stdout.trim();

let work: string;
let prefix: string;
let installed: string;
let stack: LocalStack;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cli-package-'));
  const tarball = await packCli(join(work, 'dist'));
  expect(tarball).toBe(join(work, 'dist', tarballName(version)));
  prefix = join(work, 'prefix');
  const empty = join(work, 'empty');
  mkdirSync(empty);
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: empty,
    env: { PATH: machinePath, HOME: work, npm_config_cache: join(work, 'npm-cache') },
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm install -g failed:\n${install.stdout}\n${install.stderr}`);
  installed = join(prefix, 'lib', 'node_modules', 'databrain-admin');
  stack = await startLocalStack('cli-pkg');
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

type Runner = 'machine' | 'node24';

/**
 * The installed command as a pipeline runs it: `machine`, the bin on the PATH of a machine with only
 * Node (its shebang finds that Node); `node24`, the same file on this repository's Node 24. The
 * environment holds only what the test gives.
 */
async function cli(args: string[], options: { env?: Record<string, string>; stdin?: string; runner?: Runner } = {}): Promise<Run> {
  const [command, argv] = options.runner === 'node24'
    ? [process.execPath, [join(installed, BIN), ...args]]
    : [join(prefix, 'bin', 'databrain-admin'), args];
  const child = spawn(command, argv, { cwd: work, env: { PATH: machinePath, HOME: work, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

function printed(run: Run): string {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout).toMatch(/^[^\n]+\n$/);
  return run.stdout.trimEnd();
}

function failed(run: Run, status: number, message: string | RegExp): void {
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status, stdout: '' });
  if (typeof message === 'string') expect(run.stderr).toBe(`databrain-admin: ${message}\n`);
  else expect(run.stderr).toMatch(message);
}

/** A compact JWT whose payload says it expired, signed with nothing valid: the shape of a stale one. */
function expiredJwt(expSeconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: randomUUID(), exp: expSeconds, iat: expSeconds - 3600 })}.${randomBytes(32).toString('base64url')}`;
}

describe('npm install -g of the packed tarball', () => {
  it('installs one bundled file and a package.json without dependencies, for Node 20 or later', () => {
    expect(readdirSync(installed).sort()).toEqual(['README.md', BIN, 'package.json'].sort());
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'databrain-admin', version, bin: { 'databrain-admin': BIN }, engines: { node: '>=20' } });
    expect(manifest.dependencies).toBeUndefined();
    expect(readFileSync(join(installed, BIN), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it.each(['machine', 'node24'] as const)('--version, run on %s Node', async (runner) => {
    expect(printed(await cli(['--version'], { runner }))).toBe(`databrain-admin ${version}`);
    expect(JSON.parse(printed(await cli(['--version', '--json'], { runner })))).toEqual({ version });
  });

  it(`the machine's Node is the one its shebang finds (${machineNode}), 20 or later`, () => {
    expect(Number(machineNode.split('.')[0])).toBeGreaterThanOrEqual(20);
  });
});

describe.each(['machine', 'node24'] as const)('the installed databrain-admin on %s Node, against npm start', (runner) => {
  // Each runner has its own admin: the stack holds one account, so the second claims nothing.
  const run = (args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) => cli(args, { ...options, runner });
  const url = () => ['--url', stack.api];
  const direct = () => ['--stage', stack.stage, '--endpoint', stack.lambdaEndpoint];
  let jwt: string;
  let token: string;

  it('doctor --url: this API answers there, open to a claim (npm start), exit 0', async () => {
    const report = await run(['doctor', ...url()]);
    expect({ status: report.status, stderr: report.stderr }).toEqual({ status: 0, stderr: '' });
    expect(report.stdout).toContain(`API            this API answers at ${stack.api} (HTTP)`);
    expect(report.stdout).toContain('claim          open');
    const json = JSON.parse(printed(await run(['doctor', '--json', ...url()])));
    expect(json).toMatchObject({ version, api: stack.api, via: 'http', stage: null, selfHosted: true, claimMode: 'open' });
  });

  it('bootstrap claims the instance (claimMode open: no code needed) and prints the admin JWT; a second claim is refused', async () => {
    const claim = ['bootstrap', '--first-name', admin.firstName, '--email', admin.email, '--company-name', admin.companyName, ...url()];
    const first = await run(claim, { env: { DATABRAIN_ADMIN_PASSWORD: PASSWORD } });
    if (runner === 'machine') {
      jwt = printed(first);
      expect(jwt).toMatch(JWT);
    } else {
      // The machine runner claimed it first.
      failed(first, 1, 'INVALID_REQUEST: Your company account is already created, please sign in');
    }
    failed(await run(claim, { env: { DATABRAIN_ADMIN_PASSWORD: PASSWORD } }), 1, 'INVALID_REQUEST: Your company account is already created, please sign in');
  });

  it('sign-in --output-file writes the JWT to a new file, mode 0600, and nothing to stdout', async () => {
    const password = runner === 'machine' ? PASSWORD : NEW_PASSWORD;
    const file = join(work, `jwt-${runner}`);
    const signedIn = await run(['sign-in', '--email', admin.email, '--password-stdin', '--output-file', file, ...url()], { stdin: password });
    expect(signedIn).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    jwt = readFileSync(file, 'utf8').trimEnd();
    expect(readFileSync(file, 'utf8')).toBe(`${jwt}\n`);
    expect(jwt).toMatch(JWT);
  });

  it('create --generate --json prints {"key"}; rotate --output-file --json writes the new key (0600) and says where', async () => {
    const created = JSON.parse(printed(await run(['create', '--generate', '--json', ...url()], { env: { DATABRAIN_ADMIN_JWT: jwt } })));
    expect(created).toEqual({ key: expect.stringMatching(UUID_V4) });
    const file = join(work, `token-${runner}`);
    const rotated = await run(['rotate', '--grace', '60', '--output-file', file, '--json', ...direct()], { env: { DATABRAIN_SERVICE_TOKEN: created.key } });
    expect(JSON.parse(printed(rotated))).toEqual({ outputFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    token = readFileSync(file, 'utf8').trimEnd();
    expect(token).toMatch(UUID_V4);
    expect(token).not.toBe(created.key);
  });

  it('list, introspect and revoke answer JSON with --json', async () => {
    const listed = JSON.parse(printed(await run(['list', '--json', ...url()], { env: { DATABRAIN_ADMIN_JWT: jwt } })));
    expect(listed.map((t: { status: string }) => t.status)).toEqual(['current', 'grace']);
    const described = JSON.parse(printed(await run(['introspect', '--json', ...direct()], { env: { DATABRAIN_SERVICE_TOKEN: token } })));
    expect(described).toMatchObject({ id: listed[0].id, expiresAt: null });
    const revoked = JSON.parse(printed(await run(['revoke', '--json', ...url()], { env: { DATABRAIN_SERVICE_TOKEN: token } })));
    expect(revoked).toEqual({ revoked: [listed[1].id] });
  });

  it('doctor with both credentials: the JWT\'s expiry, the token\'s standing, exit 0', async () => {
    const report = await run(['doctor', ...direct()], { env: { DATABRAIN_ADMIN_JWT: jwt, DATABRAIN_SERVICE_TOKEN: token } });
    expect({ status: report.status, stderr: report.stderr }).toEqual({ status: 0, stderr: '' });
    expect(report.stdout).toContain(`stage          ${stack.stage}`);
    expect(report.stdout).toMatch(/admin JWT {6}valid until \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ min left\)/);
    expect(report.stdout).toMatch(/service token {2}valid: st_[a-z2-7]{16}, current/);
  });

  it('recover (direct invocation, the password from stdin) prints the email; every earlier JWT is refused, in one sentence', async () => {
    const password = runner === 'machine' ? NEW_PASSWORD : `${NEW_PASSWORD}-2`;
    expect(printed(await run(['recover', '--password-stdin', ...direct()], { stdin: `${password}\n` }))).toBe(admin.email);
    const refused = 'the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) was refused: revoked by a password reset or recovery, or issued by another stage; sign in again (databrain-admin sign-in)';
    failed(await run(['list', ...url()], { env: { DATABRAIN_ADMIN_JWT: jwt } }), 1, refused);
    failed(await run(['list', ...direct()], { env: { DATABRAIN_ADMIN_JWT: jwt } }), 1, refused);
    // doctor prints its report, then fails like any refused credential.
    const report = await run(['doctor', '--json', ...url()], { env: { DATABRAIN_ADMIN_JWT: jwt } });
    expect(report.status).toBe(1);
    expect(JSON.parse(report.stdout).adminJwt).toMatchObject({ valid: false, problem: refused });
    expect(JSON.parse(report.stderr)).toEqual({ error: { message: refused, exitCode: 1 } });
    expect(printed(await run(['sign-in', '--email', admin.email, ...url()], { env: { DATABRAIN_ADMIN_PASSWORD: password } }))).toMatch(JWT);
  });

  it('recover refuses a weak password (the API\'s rule, nothing changed) and --url (it has no route)', async () => {
    failed(await run(['recover', ...direct()], { env: { DATABRAIN_ADMIN_PASSWORD: 'weak' } }), 1, 'INVALID_REQUEST_BODY: "password" length must be at least 8 characters long');
    failed(await run(['recover', ...url()], { env: { DATABRAIN_ADMIN_PASSWORD: NEW_PASSWORD } }), 2,
      'this command works by direct invocation only (no route reaches its function): give --stage or --function-name, not --url');
  });

  it('a dead token and an expired JWT: one sentence each, over HTTP and by direct invocation alike', async () => {
    const dead = randomUUID();
    for (const where of [url(), direct()]) {
      failed(await run(['introspect', ...where], { env: { DATABRAIN_SERVICE_TOKEN: dead } }), 1, DEAD_TOKEN);
      failed(await run(['rotate', '--grace', '0', ...where], { env: { DATABRAIN_SERVICE_TOKEN: dead } }), 1, DEAD_TOKEN);
      const exp = Math.floor(Date.now() / 1000) - 120;
      failed(await run(['list', ...where], { env: { DATABRAIN_ADMIN_JWT: expiredJwt(exp) } }), 1,
        `the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) expired at ${new Date(exp * 1000).toISOString()}: sign in again (databrain-admin sign-in)`);
    }
  });
});

describe('what the installed databrain-admin refuses or reports, without touching the API', () => {
  let other: Server;
  let otherUrl: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    // Something that is not this API: a web server answering 404 pages, and 200 HTML at its root.
    other = createServer((request, response) => {
      seen.push(request.headers);
      const found = request.url === '/';
      response.writeHead(found ? 200 : 404, { 'content-type': 'text/html' }).end(found ? '<html>hello</html>' : '<html>Not Found</html>');
    });
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((done) => other?.close(() => done())));

  it('exit 3 when something else answers at --url (a 404 page), sent with User-Agent databrain-admin/<version>', async () => {
    failed(await cli(['doctor', '--url', otherUrl]), 3, `nothing that looks like this API answered at ${otherUrl} (HTTP 404 where AUTHENTICATION_ERROR was expected)`);
    failed(await cli(['introspect', '--url', otherUrl], { env: { DATABRAIN_SERVICE_TOKEN: randomUUID() } }), 3,
      `nothing that looks like this API answered at ${otherUrl} (HTTP 404, text/html): check the URL or stage`);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const headers of seen) expect(headers['user-agent']).toBe(`databrain-admin/${version}`);
  });

  it('exit 3 when nothing answers at all', async () => {
    const nowhere = `http://localhost:${await freePort()}`;
    failed(await cli(['doctor', '--url', nowhere]), 3, `no answer from ${nowhere}: fetch failed (ECONNREFUSED)`);
  });

  it('a URL with a user name and password: exit 2, redacted; plain http to another host, for --url and --endpoint: exit 2', async () => {
    const secret = 'hunter2-Pa55';
    const withUser = await cli(['doctor', '--url', `https://ops:${secret}@api.example.com/base?x=1`]);
    failed(withUser, 2, '--url must not carry a user name or password (https://***@api.example.com/base): the API takes its credentials from the environment or stdin');
    expect(withUser.stderr).not.toContain(secret);
    failed(await cli(['doctor', '--url', 'http://api.example.com']), 2, '--url must be https:// (plain http only to localhost), got http://api.example.com');
    failed(await cli(['doctor', '--stage', 'prod', '--endpoint', 'http://lambda.example.com:3002']), 2, '--endpoint must be https:// (plain http only to localhost), got http://lambda.example.com:3002');
    failed(await cli(['doctor', '--stage', 'prod'], { env: { AWS_ENDPOINT_URL_LAMBDA: `http://ops:${secret}@lambda.example.com` } }), 2,
      'AWS_ENDPOINT_URL_LAMBDA must not carry a user name or password (http://***@lambda.example.com): the API takes its credentials from the environment or stdin');
  });

  it('--output-file into a folder that does not exist: exit 2 before any call', async () => {
    const before = seen.length;
    failed(await cli(['sign-in', '--email', 'a@b.example', '--output-file', join(work, 'missing', 'jwt'), '--url', otherUrl], { env: { DATABRAIN_ADMIN_PASSWORD: 'x' } }), 2,
      `--output-file ${join(work, 'missing', 'jwt')}: its folder ${join(work, 'missing')} does not exist or is not writable`);
    expect(seen.length).toBe(before);
  });

  it('errors as JSON on stderr with --json', async () => {
    const run = await cli(['list', '--json', '--url', otherUrl], { env: { DATABRAIN_ADMIN_JWT: 'x.y.z' } });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 3, stdout: '' });
    expect(JSON.parse(run.stderr)).toEqual({ error: { message: expect.stringContaining('nothing that looks like this API answered'), exitCode: 3, status: 404 } });
  });
});

describe('the installed databrain-admin under load and in CI', () => {
  it('a 429 shows its Retry-After (and --json carries it)', async () => {
    // An address nobody else uses, an email nobody has: five failures, then the lock-out.
    const env = { DATABRAIN_ADMIN_PASSWORD: 'Wr0ng!Passw0rd' };
    // Not a UUID in it: the command line would refuse one as a secret.
    const args = ['sign-in', '--email', `nobody-${randomBytes(6).toString('hex')}@acme-pkg.com`, '--url', stack.api];
    for (let attempt = 0; attempt < 5; attempt++) failed(await cli(args, { env }), 1, 'INVALID_CREDENTIALS: Invalid credentials');
    failed(await cli(args, { env }), 1, /^databrain-admin: TOO_MANY_ATTEMPTS: Too many failed sign-in attempts, try again later \(retry after \d+ s\)\n$/);
    const json = await cli([...args, '--json'], { env });
    expect(JSON.parse(json.stderr)).toEqual({
      error: { message: expect.stringContaining('retry after'), exitCode: 1, code: 'TOO_MANY_ATTEMPTS', status: 429, retryAfter: expect.any(Number) },
    });
  });

  it('GITHUB_ACTIONS=true: every secret read or printed is masked first, on stderr; stdout holds the result alone', async () => {
    const signedIn = await cli(['sign-in', '--email', admin.email, '--url', stack.api], { env: { GITHUB_ACTIONS: 'true', DATABRAIN_ADMIN_PASSWORD: `${NEW_PASSWORD}-2` } });
    expect(signedIn.status).toBe(0);
    const jwt = signedIn.stdout.trimEnd();
    expect(jwt).toMatch(JWT);
    expect(signedIn.stderr).toBe(`::add-mask::${NEW_PASSWORD}-2\n::add-mask::${jwt}\n`);
    // Outside Actions, nothing of the kind.
    const plain = await cli(['sign-in', '--email', admin.email, '--url', stack.api], { env: { DATABRAIN_ADMIN_PASSWORD: `${NEW_PASSWORD}-2` } });
    expect(plain.stderr).toBe('');
  });
});

describe('a clone without its dev dependencies (npm ci --omit=dev), and the in-clone bin', () => {
  let clone: string;

  beforeAll(() => {
    // What the command line needs of a clone, and no node_modules at all: the strictest case.
    clone = join(work, 'clone');
    for (const part of ['bin', 'cli']) cpSync(join(root, part), join(clone, part), { recursive: true });
    cpSync(join(root, 'package.json'), join(clone, 'package.json'));
  });

  it('on the machine\'s Node (without type stripping): one clear message naming both ways out, exit 2', () => {
    const run = spawnSync('node', [join(clone, 'bin', 'databrain-admin.js'), '--version'], { env: { PATH: machinePath }, encoding: 'utf8' });
    if (Number(machineNode.split('.')[0]) >= 24) return; // this machine's Node runs the TypeScript itself
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toContain('run npm ci (not --omit=dev) here');
    expect(run.stderr).toContain('npm run pack-cli, then npm install -g dist/databrain-admin-<version>.tgz');
  });

  it('on Node 24: --version and HTTPS work without any dependency; direct invocation says what it lacks', async () => {
    const bin = join(clone, 'bin', 'databrain-admin.js');
    const version24 = spawnSync(process.execPath, [bin, '--version'], { env: { PATH: machinePath }, encoding: 'utf8' });
    expect(version24.stdout).toBe(`databrain-admin ${version}\n`);
    const doctor = spawnSync(process.execPath, [bin, 'doctor', '--url', stack.api], { env: { PATH: machinePath }, encoding: 'utf8' });
    expect({ status: doctor.status, stderr: doctor.stderr }).toEqual({ status: 0, stderr: '' });
    const invoke = spawnSync(process.execPath, [bin, 'introspect', '--stage', 'prod'], { env: { PATH: machinePath, DATABRAIN_SERVICE_TOKEN: randomUUID() }, encoding: 'utf8' });
    expect({ status: invoke.status, stdout: invoke.stdout }).toEqual({ status: 2, stdout: '' });
    expect(invoke.stderr).toMatch(/^databrain-admin: direct invocation needs the AWS SDK, which this copy lacks: run npm ci in the clone, or install the packaged command line/);
  });
});
