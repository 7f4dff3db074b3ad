import { jest } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startLocalStack, type LocalStack } from '../support/local-stack.ts';

/*
 * databrain-admin (bin/databrain-admin.js, docs/pipelines.md) against the real local stack: npm
 * start, driven over HTTP and over serverless-offline's Lambda invoke endpoint. What a pipeline
 * relies on: the result alone on stdout, the API's code and message on stderr with a non-zero exit
 * status for anything else, and no secret ever on a command line.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(root, 'bin', 'databrain-admin.js');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
/** What every command says of a service token the API refuses, whatever the route and transport. */
const DEAD_TOKEN = 'the service token (DATABRAIN_SERVICE_TOKEN or --token-stdin) is not valid: unknown, revoked, or past its grace period';

// Not whitespace (the sign-up rules refuse it), but everything a shell-built JSON body breaks on.
const PASSWORD = String.raw`Str0ng!"Pa\ss'w$rd`;
const admin = { firstName: 'Ada', email: 'ada@example.com', password: PASSWORD, companyName: 'Acme' };

// Each test starts the CLI a few times: a new Node process, seconds each on a loaded machine.
jest.setTimeout(90_000);

let stack: LocalStack;
/** Every secret the suite has held: none may ever appear in the arguments the CLI is given. */
const secrets = new Set<string>([PASSWORD]);

beforeAll(async () => {
  stack = await startLocalStack();
  const created = await fetch(`${stack.api}/api/v2/admin-account`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(admin),
  });
  expect(created.status).toBe(200);
}, 180_000);

afterAll(() => stack?.stop(), 30_000);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a pipeline runs it: its own process, an environment holding only what the test gives
 * (no AWS_* or DATABRAIN_* of this machine), stdin closed or fed. Asserts first that the arguments
 * hold no secret the suite knows of.
 */
async function cli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  for (const secret of secrets) expect(args.join(' ')).not.toContain(secret);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  for (const line of stdout.split('\n')) {
    if (UUID_V4.test(line) || JWT.test(line)) secrets.add(line);
  }
  return { status, stdout, stderr };
}

/** A run that printed exactly one line on stdout and nothing on stderr; that line. */
function printed(run: Run): string {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout).toMatch(/^[^\n]+\n$/);
  return run.stdout.trimEnd();
}

/** A run the API refused: exit 1, nothing on stdout, the API's code and message on stderr. */
function refused(run: Run, codeAndMessage: string | RegExp): void {
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: '' });
  if (typeof codeAndMessage === 'string') expect(run.stderr).toBe(`databrain-admin: ${codeAndMessage}\n`);
  else expect(run.stderr).toMatch(codeAndMessage);
}

/** A service token nobody holds, remembered as a secret too. */
function unknownToken(): string {
  const token = randomUUID();
  secrets.add(token);
  return token;
}

interface Via {
  name: string;
  /** Where the API is, as flags. */
  flags: () => string[];
  /** The same, as environment variables. */
  env: () => Record<string, string>;
}

const transports: Via[] = [
  { name: 'over HTTP', flags: () => ['--url', stack.api], env: () => ({ DATABRAIN_API_URL: stack.api }) },
  {
    name: 'by direct invocation (the invoke endpoint of npm start)',
    flags: () => ['--stage', stack.stage, '--endpoint', stack.lambdaEndpoint],
    env: () => ({ DATABRAIN_STAGE: stack.stage, AWS_ENDPOINT_URL_LAMBDA: stack.lambdaEndpoint }),
  },
];

describe.each(transports)('databrain-admin $name', ({ flags, env: whereEnv }) => {
  let jwt: string;
  let token: string;
  it('sign-in prints the admin JWT alone, the password (quotes, backslash) read from the environment', async () => {
    jwt = printed(await cli(['sign-in', '--email', admin.email, ...flags()], { env: { DATABRAIN_ADMIN_PASSWORD: PASSWORD } }));
    expect(jwt).toMatch(JWT);
  });

  it('sign-in reads the password from stdin, one trailing line break dropped', async () => {
    const run = await cli(['sign-in', '--password-stdin', ...flags()], { env: { DATABRAIN_ADMIN_EMAIL: admin.email }, stdin: `${PASSWORD}\n` });
    expect(printed(run)).toMatch(JWT);
  });

  it('a wrong password: INVALID_CREDENTIALS on stderr, nothing on stdout, exit 1', async () => {
    refused(await cli(['sign-in', '--email', admin.email, ...flags()], { env: { DATABRAIN_ADMIN_PASSWORD: 'Wr0ng!Passw0rd' } }), 'INVALID_CREDENTIALS: Invalid credentials');
  });

  it('a password with spaces, quotes and a backslash reaches the API intact (a wrong one here: sign-up refuses whitespace)', async () => {
    const run = await cli(['sign-in', '--email', admin.email, '--password-stdin', ...flags()], { stdin: String.raw`a " b \ c "}` });
    refused(run, 'INVALID_CREDENTIALS: Invalid credentials');
  });

  it('create --generate prints the new random v4 token alone', async () => {
    token = printed(await cli(['create', '--generate', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt } }));
    expect(token).toMatch(UUID_V4);
    expect((await cli(['introspect', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token } })).status).toBe(0);
  });

  it('create takes the new token from stdin (the admin JWT from the environment) and prints it canonical', async () => {
    const next = randomUUID();
    secrets.add(next);
    const run = await cli(['create', '--new-token-stdin', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt }, stdin: next.toUpperCase() });
    expect(printed(run)).toBe(next);
    token = next;
  });

  it('introspect prints the token\'s data as JSON, never the token', async () => {
    const run = await cli(['introspect', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).not.toContain(token);
    expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ companyId: expect.any(String), createdAt: expect.any(String), expiresAt: null }));
  });

  it('rotate (form b, the token on stdin) prints the new key alone; the old one is in grace', async () => {
    const next = printed(await cli(['rotate', '--grace', '300', '--token-stdin', ...flags()], { stdin: token }));
    expect(next).toMatch(UUID_V4);
    expect(next).not.toBe(token);
    const old = await cli(['introspect', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token } });
    expect(old.status).toBe(0);
    expect(JSON.parse(old.stdout).expiresAt).toEqual(expect.any(String));

    // The old token is no longer the current one: rotating it again is refused, loudly.
    refused(await cli(['rotate', '--grace', '0', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token } }),
      'the service token (DATABRAIN_SERVICE_TOKEN or --token-stdin) is no longer the current one (it is in its grace period, or past it): only the current token can do this');
    token = next;
  });

  it('rotate with a dead token: one clear sentence on stderr, nothing on stdout, exit 1', async () => {
    refused(await cli(['rotate', '--grace', '300', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: unknownToken() } }), DEAD_TOKEN);
  });

  it('NEW=$(databrain-admin rotate …) under set -euo pipefail stops the script before the key is stored', () => {
    const script = `set -euo pipefail
NEW=$(databrain-admin rotate --grace 300)
echo "storing $NEW"`;
    // --norc: bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are.
    const run = spawnSync('bash', ['--norc', '-c', `databrain-admin() { "${process.execPath}" "${BIN}" "$@"; }\n${script}`], {
      env: { PATH: process.env.PATH, DATABRAIN_SERVICE_TOKEN: unknownToken(), ...whereEnv() },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`databrain-admin: ${DEAD_TOKEN}\n`);
  });

  it('rotate (form a: admin JWT, the current token from the environment) prints the new key; --grace 0 ends the old one', async () => {
    const next = printed(await cli(['rotate', '--grace', '0', '--jwt-stdin', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token }, stdin: jwt }));
    expect(next).toMatch(UUID_V4);
    const old = await cli(['introspect', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: token } });
    // The same sentence whether the authorizer denied it (API Gateway's 403) or the function refused it (401).
    refused(old, DEAD_TOKEN);
    token = next;
  });

  it('rotate form a with a token that is not the company\'s: the same sentence (the API\'s 400), exit 1', async () => {
    refused(await cli(['rotate', '--grace', '0', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt, DATABRAIN_SERVICE_TOKEN: unknownToken() } }), DEAD_TOKEN);
  });

  it('create with a token the API refuses: its validation message, exit 1', async () => {
    const run = await cli(['create', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt, DATABRAIN_NEW_SERVICE_TOKEN: 'not-a-token' } });
    refused(run, 'INVALID_REQUEST_BODY: "token" must be a valid GUID');
  });

  it('create without a valid admin JWT: says so, exit 1', async () => {
    refused(await cli(['create', '--generate', ...flags()], { env: { DATABRAIN_ADMIN_JWT: 'not.a.jwt' } }), 'the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) is not a JWT');
  });
});


describe.each(transports)('databrain-admin list and revoke $name', ({ flags }) => {
  let jwt: string;
  let old: string;
  let current: string;
  let listed: { id: string; status: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null }[];

  beforeAll(async () => {
    jwt = printed(await cli(['sign-in', '--email', admin.email, ...flags()], { env: { DATABRAIN_ADMIN_PASSWORD: PASSWORD } }));
    old = printed(await cli(['create', '--generate', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt } }));
    current = printed(await cli(['rotate', '--grace', '300', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: old } }));
  }, 60_000);

  it('list prints every valid token as JSON, current first, never a token value', async () => {
    const run = await cli(['list', ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt } });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).not.toContain(old);
    expect(run.stdout).not.toContain(current);
    listed = JSON.parse(run.stdout);
    expect(listed).toEqual([
      // The new key has not been used yet; the old one authenticated its own rotation (form b).
      { id: expect.any(String), status: 'current', createdAt: expect.any(String), expiresAt: null, lastUsedAt: null },
      { id: expect.any(String), status: 'grace', createdAt: expect.any(String), expiresAt: expect.any(String), lastUsedAt: expect.any(String) },
    ]);
    const introspected = await cli(['introspect', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: current } });
    expect(JSON.parse(introspected.stdout).id).toBe(listed[0]!.id);
  });

  it('revoke with the current token (form b) ends every grace window and prints the revoked ids', async () => {
    expect(printed(await cli(['revoke', '--token-stdin', ...flags()], { stdin: current }))).toBe(listed[1]!.id);
    refused(await cli(['rotate', '--grace', '0', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: old } }), DEAD_TOKEN);
  });

  it('revoke form b with a dead token: the dead-token sentence, exit 1', async () => {
    refused(await cli(['revoke', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: old } }), DEAD_TOKEN);
  });

  it('revoke --id with an admin JWT (form a) ends that token at once, even the current one', async () => {
    expect(printed(await cli(['revoke', '--id', listed[0]!.id, ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt } }))).toBe(listed[0]!.id);
    refused(await cli(['rotate', '--grace', '0', ...flags()], { env: { DATABRAIN_SERVICE_TOKEN: current } }), DEAD_TOKEN);
  });

  it('revoke --id of a token no longer valid: SERVICE_TOKEN_NOT_FOUND, exit 1', async () => {
    refused(await cli(['revoke', '--id', listed[0]!.id, ...flags()], { env: { DATABRAIN_ADMIN_JWT: jwt } }), 'SERVICE_TOKEN_NOT_FOUND: Service token not found');
  });

  it('list without a valid admin JWT: says so, exit 1', async () => {
    refused(await cli(['list', ...flags()], { env: { DATABRAIN_ADMIN_JWT: 'not.a.jwt' } }), 'the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) is not a JWT');
  });
});

describe('databrain-admin when no usable answer comes: exit 3, nothing on stdout', () => {
  it('nothing listening at --url', async () => {
    const url = `http://localhost:${await freePort()}`;
    const run = await cli(['introspect', '--url', url], { env: { DATABRAIN_SERVICE_TOKEN: unknownToken() } });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 3, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^databrain-admin: no answer from ${url}: fetch failed \\(ECONNREFUSED\\)\\n$`));
  });

  it('a function the invoke endpoint does not have', async () => {
    const run = await cli(['introspect', '--function-name', 'databrain-admin-api-nowhere-getServiceToken', '--endpoint', stack.lambdaEndpoint], {
      env: { DATABRAIN_SERVICE_TOKEN: unknownToken() },
    });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 3, stdout: '' });
    expect(run.stderr).toMatch(/^databrain-admin: invoking databrain-admin-api-nowhere-getServiceToken failed: ResourceNotFoundException: .+\n$/);
  });

  it('nothing listening at --endpoint', async () => {
    const run = await cli(['introspect', '--stage', stack.stage, '--endpoint', `http://localhost:${await freePort()}`], { env: { DATABRAIN_SERVICE_TOKEN: unknownToken() } });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 3, stdout: '' });
    expect(run.stderr).toMatch(/^databrain-admin: invoking databrain-admin-api-e2e-getServiceToken failed: .*ECONNREFUSED/);
  });
});

describe('databrain-admin refuses a secret on the command line: exit 2, before any request', () => {
  const aToken = randomUUID();
  const aJwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl';
  const cases: [string, string[], string][] = [
    ['--password <value>', ['sign-in', '--email', admin.email, '--password', PASSWORD], 'DATABRAIN_ADMIN_PASSWORD'],
    ['--password=<value>', ['sign-in', '--email', admin.email, `--password=${PASSWORD}`], 'DATABRAIN_ADMIN_PASSWORD'],
    ['--token <uuid>', ['rotate', '--grace', '0', '--token', aToken], 'DATABRAIN_SERVICE_TOKEN'],
    ['--jwt <jwt>', ['list', '--jwt', aJwt], 'DATABRAIN_ADMIN_JWT'],
    ['--new-token <uuid>', ['create', '--new-token', aToken], 'DATABRAIN_NEW_SERVICE_TOKEN'],
    ['a bare UUID', ['create', aToken], 'environment or stdin'],
    ['a bare JWT', ['list', aJwt], 'environment or stdin'],
    ['a UUID as the value of another option', ['introspect', '--email', aToken], 'environment or stdin'],
  ];

  it.each(cases)('%s', async (_, args, hint) => {
    // Straight to spawn: cli() would (rightly) fail on a secret in the arguments.
    const run = spawnSync(process.execPath, [BIN, ...args, '--url', stack.api], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toMatch(/^databrain-admin: refusing .+: .*never taken from the command line/);
    expect(run.stderr).toContain(hint);
    // The refusal names the argument, never its value.
    for (const secret of [PASSWORD, aToken, aJwt]) expect(run.stderr).not.toContain(secret);
  });

  it('a stray argument (a password, say) is refused without being repeated', () => {
    const run = spawnSync(process.execPath, [BIN, 'sign-in', 'hunter2!Secret', '--url', stack.api], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toBe('databrain-admin: sign-in takes no arguments, only options (see sign-in --help)\n');
  });
});

/** Signs in and creates a fresh service token over HTTP, without the CLI. */
async function freshToken(): Promise<string> {
  const signedIn = await fetch(`${stack.api}/api/v2/admin-account/jwt`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password: PASSWORD }),
  });
  const jwt = ((await signedIn.json()) as { data: { accessToken: string } }).data.accessToken;
  const token = randomUUID();
  secrets.add(token);
  const created = await fetch(`${stack.api}/api/v2/service-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ token }),
  });
  expect(created.status).toBe(200);
  return token;
}

describe('the plain-curl rotation of docs/pipelines.md', () => {
  const docs = readFileSync(join(root, 'docs', 'pipelines.md'), 'utf8');
  const recipe = /### Plain curl\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(docs)?.[1];
  let token: string;

  beforeAll(async () => {
    token = await freshToken();
  });

  /** The recipe as written, then its result printed, in bash with only the variables it reads. */
  const runRecipe = (current: string) =>
    spawnSync('bash', ['--norc', '-c', `${recipe}\nprintf '%s\\n' "$NEW"`], {
      env: { PATH: process.env.PATH, API: stack.api, DATABRAIN_SERVICE_TOKEN: current },
      encoding: 'utf8',
    });

  it('rotates and leaves the new key in $NEW', () => {
    expect(recipe).toContain('NEW=$(curl');
    const run = runRecipe(token);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.trimEnd()).toMatch(UUID_V4);
    expect(run.stdout.trimEnd()).not.toBe(token);
  });

  it('stops the script on a dead token, with the API\'s code on stderr and nothing in $NEW', () => {
    const run = runRecipe(token); // rotated by the test above: no longer the current key
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('EXPIRED_SERVICE_TOKEN: Service token is already expired');
    const unknown = runRecipe(unknownToken());
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('AUTHENTICATION_ERROR: Invalid Service Token');
  });
});

describe('databrain-admin as shipped', () => {
  let token: string;

  beforeAll(async () => {
    token = await freshToken();
  });

  /** The PATH of a shell in a fresh clone: none of this repository's node_modules/.bin (its Node 24). */
  const shellPath = () => process.env.PATH!.split(':').filter((dir) => !dir.includes('node_modules')).join(':');

  it('npm exec databrain-admin runs the repository\'s own bin, stdin passed through', () => {
    const run = spawnSync('npm', ['exec', '--offline', 'databrain-admin', '--', 'introspect', '--token-stdin', '--url', stack.api], {
      cwd: root,
      env: { PATH: shellPath(), HOME: process.env.HOME },
      input: token,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ expiresAt: null }));
  }, 130_000);

  // The machine's own Node, when it is older than 24 (it cannot run TypeScript): the entry point
  // re-runs the CLI on the pinned Node 24 with the same arguments, stdin and exit status.
  const olderNode = shellPath().split(':').map((dir) => join(dir, 'node')).find((node) => {
    const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    return version.status === 0 && Number(version.stdout.split('.')[0]) < 24;
  });
  (olderNode ? it : it.skip)(`runs when started by an older Node (${olderNode ?? 'none on this PATH'})`, () => {
    const ok = spawnSync(olderNode!, [BIN, 'introspect', '--token-stdin', '--url', stack.api], { input: token, encoding: 'utf8', env: { PATH: shellPath() } });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(ok.stdout)).toEqual(expect.objectContaining({ expiresAt: null }));
    const denied = spawnSync(olderNode!, [BIN, 'rotate', '--grace', '0', '--token-stdin', '--url', stack.api], { input: randomUUID(), encoding: 'utf8', env: { PATH: shellPath() } });
    expect({ status: denied.status, stdout: denied.stdout, stderr: denied.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: `databrain-admin: ${DEAD_TOKEN}\n`,
    });
  });
});
