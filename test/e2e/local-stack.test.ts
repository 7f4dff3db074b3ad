import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import { browserTest, launchChromium } from '../support/chromium.ts';
import { ExchangeRecorder } from '../support/exchange-recorder.ts';
import { OPENAPI_FILE, OpenApiContract } from '../support/openapi-contract.ts';

/*
 * The README's walk-through against the real local stack: `npm start` (scripts/start.ts) with
 * dynalite and serverless-offline, on free ports and a throwaway data folder, driven over HTTP.
 * Every request to the API is recorded, and the OpenAPI test checks every answer against
 * openapi.yaml: API Gateway's own answers (an authorizer's denial, a function that timed out) as
 * npm start gives them, with no allowance for serverless-offline's wording.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, 'localhost');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

interface Stack {
  readonly process: ChildProcess;
  /** Everything it printed so far. */
  readonly output: () => string;
}

let stack: ChildProcess;
let output = '';
let dataDir: string;
let api: string;
let docs: string;
let invoke: (fn: string, payload: unknown) => Promise<Response>;
const recorder = new ExchangeRecorder();
let stackEnv: NodeJS.ProcessEnv;

/** `npm start` (scripts/start.ts) with `env`; resolves once it says it is running, or has exited. */
async function startStack(env: NodeJS.ProcessEnv): Promise<Stack> {
  let text = '';
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const deadline = Date.now() + 150_000;
  while (!text.includes('is running') && child.exitCode === null) {
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${text}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  return { process: child, output: () => text };
}

/** The suite's stack: `npm start` with the suite's ports and data folder, up when it says so. */
async function launch(): Promise<void> {
  const started = await startStack(stackEnv);
  stack = started.process;
  if (stack.exitCode !== null) throw new Error(`npm start did not come up:\n${started.output()}`);
  output = started.output();
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
}

/** Free ports for PORT, LAMBDA_PORT, DYNAMODB_PORT and DOCS_PORT. */
async function stackPorts(): Promise<Record<'PORT' | 'LAMBDA_PORT' | 'DYNAMODB_PORT' | 'DOCS_PORT', string>> {
  return { PORT: String(await freePort()), LAMBDA_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), DOCS_PORT: String(await freePort()) };
}

/** Ctrl-C, as a terminal sends it; resolves with the exit code. */
async function interrupt(child = stack): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = await exited;
  return code as number | null;
}

beforeAll(async () => {
  const [port, lambdaPort, dynamodbPort, docsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
  api = `http://localhost:${port}`;
  docs = `http://localhost:${docsPort}`;
  const stage = 'e2e';
  invoke = (fn, payload) =>
    recorder.invoke(`http://localhost:${lambdaPort}/2015-03-31/functions/databrain-admin-api-${stage}-${fn}/invocations`, fn, payload);
  stackEnv = {
    ...process.env,
    PORT: String(port),
    LAMBDA_PORT: String(lambdaPort),
    DYNAMODB_PORT: String(dynamodbPort),
    DOCS_PORT: String(docsPort),
    DATA_DIR: dataDir,
    STAGE: stage,
  };
  await launch();
}, 180_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) await interrupt();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** A response body as JSON, typed loosely: the assertions say what it must be. */
const read = (response: Response): Promise<any> => response.json();

/** Every request to the API goes through the recorder. */
const call = recorder.fetch;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

const admin = { firstName: 'Ada', email: 'ada@example.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' };
/** The admin's password after the walk-through's reset. */
const newPassword = 'N3w!Passw0rd#';

// First, while every function is still cold: serverless-offline starts a worker for each request
// that finds none idle and counts its cold start against the 10 s timeout; npm start's gateway
// lets at most one request per core and function through at once (docs/local-development.md).
describe('a burst of first calls', () => {
  it('30 concurrent first sign-ins on a cold stack: each answered by the function, none timed out', async () => {
    const attempts = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      post('/api/v2/admin-account/jwt', { email: `burst-${i}@example.com`, password: 'Wr0ng!Passw0rd' })));
    const statuses = attempts.map((response) => response.status);
    // Unknown emails: each is INVALID_CREDENTIALS, after the same argon2id work as a real account.
    expect(statuses).toEqual(Array(30).fill(400));
    for (const response of attempts) expect((await read(response)).error.code).toBe('INVALID_CREDENTIALS');
    expect(output).not.toContain('Lambda timeout');
  }, 120_000);
});

describe('the README walk-through over HTTP', () => {
  let jwt: string;
  let token: string;

  it('prints the URLs and a curl walk-through on start', () => {
    expect(output).toContain(api);
    expect(output).toContain(`${docs}/openapi.yaml`);
    expect(output).toContain(`API docs         ${docs}/`);
    expect(output).toContain(`Admin console    ${api}/console`);
    expect(output).toMatch(/curl -s -X POST http:\/\/localhost:\d+\/api\/v2\/admin-account/);
  });

  it('creates the first admin: 200 with an admin JWT, no-store', async () => {
    const response = await post('/api/v2/admin-account', admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await read(response);
    expect(body.data.accessToken).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses a second account', async () => {
    const response = await post('/api/v2/admin-account', { ...admin, email: 'bob@example.com' });
    expect(response.status).toBe(400);
    expect(await read(response)).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'Your company account is already created, please sign in' },
    });
  });

  it('signs in', async () => {
    const response = await post('/api/v2/admin-account/jwt', { email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    jwt = (await read(response)).data.accessToken;
    expect(jwt).toMatch(/^eyJ/);
  });

  it('answers a wrong password with INVALID_CREDENTIALS', async () => {
    const response = await post('/api/v2/admin-account/jwt', { email: admin.email, password: 'Wr0ng!Passw0rd' });
    expect(response.status).toBe(400);
    expect(await read(response)).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Invalid credentials' } });
  });

  it('creates the service token and answers it canonical', async () => {
    token = randomUUID();
    const response = await post('/api/v2/service-token', { token: token.toUpperCase() }, { Authorization: `Bearer ${jwt}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await read(response)).toEqual({ key: token });
  });

  it('refuses the upsert without a JWT: 401 with a Bearer challenge', async () => {
    const response = await post('/api/v2/service-token', { token: randomUUID() });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect((await read(response)).error.code).toBe('AUTHENTICATION_ERROR');
  });

  it('applies the common body rules through API Gateway emulation', async () => {
    const wrongType = await call(`${api}/api/v2/admin-account/jwt`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
    const badJson = await call(`${api}/api/v2/admin-account/jwt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(await read(badJson)).toEqual({ error: { code: 'INVALID_REQUEST_BODY', message: 'Request body must be valid JSON' } });
    const tooLarge = await post('/api/v2/admin-account/jwt', { email: admin.email, password: 'x'.repeat(17 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(await read(tooLarge)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body must not exceed 16384 bytes' } });
  });

  it('locks sign-in out after five failures for one email: 429 with Retry-After', async () => {
    const attempt = () => post('/api/v2/admin-account/jwt', { email: 'nobody@example.com', password: 'Wr0ng!Passw0rd' });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(400);
    const locked = await attempt();
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await read(locked)).error.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('serves the same function by direct invocation with the {headers, body} payload', async () => {
    const next = randomUUID();
    const response = await invoke('createServiceToken', { headers: { authorization: `Bearer ${jwt}` }, body: { token: next } });
    expect(response.status).toBe(200);
    const result = await read(response);
    expect(result.statusCode).toBe(200);
    expect(result.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(result.body)).toEqual({ key: next });
    token = next;
  });

  it('requires the same credentials on direct invocation', async () => {
    const result = await read(await invoke('createServiceToken', { headers: {}, body: { token: randomUUID() } }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({ error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid or missing credentials' } });
  });

  describe('token lifecycle', () => {
    const introspect = (bearer: string) => call(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${bearer}` } });

    it('introspects the current token through the authorizer, never echoing it', async () => {
      const response = await introspect(token);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(token);
      expect(JSON.parse(text)).toEqual({ data: { companyId: expect.any(String), id: expect.stringMatching(/^st_[a-z2-7]{16}$/), createdAt: expect.any(String), expiresAt: null } });
    }, 30_000); // the first call of the authorizer and of the function: two cold starts, on a loaded machine

    it("denies an unknown token at the authorizer with API Gateway's 403", async () => {
      const denied = await introspect(randomUUID());
      expect(denied.status).toBe(403);
      expect(denied.headers.get('content-type')).toBe('application/json');
      expect(denied.headers.get('cache-control')).toBeNull();
      expect(await denied.text()).toBe('{"message":"Forbidden"}');
    });

    it("answers a request without Authorization header at the authorizer with API Gateway's 401", async () => {
      const missing = await call(`${api}/api/v2/service-token`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toBe('application/json');
      expect(missing.headers.get('www-authenticate')).toBeNull();
      expect(await missing.text()).toBe('{"message":"Unauthorized"}');
    });

    it('checks the token itself on direct invocation, which bypasses the authorizer', async () => {
      const denied = await read(await invoke('getServiceToken', { headers: { authorization: `Bearer ${randomUUID()}` } }));
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['WWW-Authenticate']).toBe('Bearer');
      const allowed = await read(await invoke('getServiceToken', { headers: { authorization: `Bearer ${token}` } }));
      expect(allowed.statusCode).toBe(200);
      expect(JSON.parse(allowed.body).data.expiresAt).toBeNull();
    });

    it('rotates with a 2-second grace: the old token passes the authorizer, then is refused', async () => {
      const rotated = await post('/api/v2/service-token/rotate', { expireAt: 2 }, { Authorization: `Bearer ${token}` });
      expect(rotated.status).toBe(200);
      const { key } = await read(rotated);
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

      const inGrace = await post('/api/v2/service-token/rotate', { expireAt: 0 }, { Authorization: `Bearer ${token}` });
      expect(inGrace.status).toBe(400);
      expect(await read(inGrace)).toEqual({ error: { code: 'EXPIRED_SERVICE_TOKEN', message: 'Service token is already expired' } });

      const during = await introspect(token);
      expect(during.status).toBe(200);
      expect((await read(during)).data.expiresAt).toEqual(expect.any(String));
      expect((await introspect(key)).status).toBe(200);

      await new Promise((done) => setTimeout(done, 2_500));
      expect((await introspect(token)).status).toBe(403);
      expect((await introspect(key)).status).toBe(200);

      const again = await post('/api/v2/service-token/rotate', { expireAt: 0 }, { Authorization: `Bearer ${token}` });
      expect(again.status).toBe(401);
      expect(await read(again)).toEqual({ error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid Service Token' } });
      token = key;
    }, 15_000);

    it('rotates with the admin JWT form, and resets the password, revoking the JWT', async () => {
      const unknown = await post('/api/v2/service-token/rotate', { token: randomUUID(), expireAt: 0 }, { Authorization: `Bearer ${jwt}` });
      expect(unknown.status).toBe(400);
      expect(await read(unknown)).toEqual({ error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid Service Token' } });
      const rotated = await post('/api/v2/service-token/rotate', { token, expireAt: '0' }, { Authorization: `Bearer ${jwt}` });
      expect(rotated.status).toBe(200);
      expect((await introspect(token)).status).toBe(403);
      const reset = await post('/api/v2/service-token/reset-password', { currentPassword: admin.password, password: 'N3w!Passw0rd#' }, { Authorization: `Bearer ${jwt}` });
      expect(reset.status).toBe(200);
      expect(await read(reset)).toEqual({ data: { success: true } });
      expect((await post('/api/v2/service-token', { token: randomUUID() }, { Authorization: `Bearer ${jwt}` })).status).toBe(401);
      expect((await post('/api/v2/admin-account/jwt', { email: admin.email, password: 'N3w!Passw0rd#' })).status).toBe(200);
    });
  });
});

describe('npm start beside other runs in this checkout', () => {
  it('refuses a second npm start on the same data folder in one line naming it and the pid, and exits non-zero', async () => {
    const second = await startStack({ ...stackEnv, ...(await stackPorts()) });
    const [code] = second.process.exitCode === null ? await once(second.process, 'exit') : [second.process.exitCode];
    expect(code).toBe(1);
    expect(second.output().trim()).toBe(`npm start: data folder ${dataDir} is in use by another npm start (pid ${stack.pid}); `
      + 'stop it first, or set DATA_DIR to another folder');
    // The running stack is untouched.
    expect((await post('/api/v2/admin-account/jwt', { email: admin.email, password: newPassword })).status).toBe(200);
  }, 60_000);

  it('npm run package while npm start runs leaves the bundles it serves alone', async () => {
    const builds = join(root, '.esbuild', `start-${stack.pid}`, '.build', 'handlers');
    const bundles = readdirSync(builds).filter((name) => name.endsWith('.cjs')).sort();
    expect(bundles).toContain('serviceTokenAuthorizer.cjs');
    const artifacts = mkdtempSync(join(tmpdir(), 'e2e-package-'));
    try {
      const packaging = spawn(process.execPath, [join(root, 'scripts', 'package.ts'), '--package', artifacts], { cwd: root, stdio: 'ignore' });
      const [code] = await once(packaging, 'exit');
      expect(code).toBe(0);
      expect(existsSync(join(artifacts, 'databrain-admin-api.zip'))).toBe(true);
    } finally {
      rmSync(artifacts, { recursive: true, force: true });
    }
    // Packaging built in its own folder and deleted it; npm start's bundles are all still there.
    expect(existsSync(join(root, '.esbuild', 'package'))).toBe(false);
    expect(readdirSync(builds).filter((name) => name.endsWith('.cjs')).sort()).toEqual(bundles);
    expect((await post('/api/v2/admin-account/jwt', { email: admin.email, password: newPassword })).status).toBe(200);
  }, 300_000);
});

/*
 * A second stack, whose functions fail: its DynamoDB holds every request 2.5 s (longer than the
 * SDK's 2 s cut, so no call ever completes) and its functions time out after 3 s
 * (LOCAL_DYNAMODB_DELAY_MS, LOCAL_FUNCTION_TIMEOUT: npm start only). Every function that reads the
 * table times out, as it would on AWS with a table that stopped answering and a short timeout.
 * One function's bundle is then deleted, so that it crashes.
 */
describe('a function that times out or crashes, answered as API Gateway answers it', () => {
  let faulty: Stack;
  let faultyApi: string;
  let faultyData: string;

  beforeAll(async () => {
    const ports = await stackPorts();
    faultyData = mkdtempSync(join(tmpdir(), 'e2e-faulty-'));
    faultyApi = `http://localhost:${ports.PORT}`;
    faulty = await startStack({ ...stackEnv, ...ports, DATA_DIR: faultyData, LOCAL_FUNCTION_TIMEOUT: '3', LOCAL_DYNAMODB_DELAY_MS: '2500' });
    if (faulty.process.exitCode !== null) throw new Error(`the second npm start did not come up:\n${faulty.output()}`);
  }, 180_000);

  afterAll(async () => {
    if (faulty) expect(await interrupt(faulty.process)).toBe(0);
    rmSync(faultyData, { recursive: true, force: true });
  }, 30_000);

  it('a function that times out: 500 {"message":"Internal Server Error"}, not serverless-offline\'s 200 with a stack trace', async () => {
    const response = await call(`${faultyApi}/api/v2/admin-account/jwt`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBeNull();
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
    // It was serverless-offline's timeout that ended it.
    expect(faulty.output()).toContain('[504] - Lambda timeout.');
  }, 30_000);

  it('a function that crashes (its bundle cannot be loaded): 500 {"message":"Internal Server Error"}', async () => {
    // What `npm run package` used to do to a running start: the function's bundle is gone, so the
    // function fails at init (Cannot find module) before any DynamoDB call.
    rmSync(join(root, '.esbuild', `start-${faulty.process.pid}`, '.build', 'handlers', 'createServiceToken.cjs'));
    const response = await call(`${faultyApi}/api/v2/service-token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: randomUUID() }),
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
  }, 30_000);

  it('an authorizer that times out: 500 {"message":"Internal Server Error"}, not a denial', async () => {
    const response = await call(`${faultyApi}/api/v2/service-token`, { headers: { Authorization: `Bearer ${randomUUID()}` } });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
  }, 30_000);
});

describe('rotating the signing key while npm start runs', () => {
  const password = newPassword; // set by the password reset above
  const signIn = async () => (await read(await post('/api/v2/admin-account/jwt', { email: admin.email, password }))).data.accessToken as string;
  const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')).kid as string;
  const keySet = () => JSON.parse(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')) as { current: string; keys: { kid: string; k: string }[] };

  it('npm run rotate-signing-key: new JWTs carry the new kid within seconds, and the JWT from before keeps working', async () => {
    const before = await signIn();
    expect(kidOf(before)).toBe(keySet().current);

    const rotation = spawnSync(process.execPath, [join(root, 'scripts', 'rotate-signing-key.ts')], { cwd: root, env: stackEnv, encoding: 'utf8' });
    expect(rotation.status).toBe(0);
    const rotated = keySet();
    expect(rotated.current).not.toBe(kidOf(before));
    expect(rotated.keys.map((key) => key.kid)).toContain(kidOf(before));
    expect(rotation.stdout).toContain(rotated.current);
    for (const key of rotated.keys) expect(rotation.stdout + rotation.stderr).not.toContain(key.k);

    // The functions re-read the key set every 5 s under npm start.
    let after = await signIn();
    for (const deadline = Date.now() + 30_000; kidOf(after) !== rotated.current && Date.now() < deadline;) {
      await new Promise((done) => setTimeout(done, 1_000));
      after = await signIn();
    }
    expect(kidOf(after)).toBe(rotated.current);
    for (const jwt of [before, after]) {
      expect((await post('/api/v2/service-token', { token: randomUUID() }, { Authorization: `Bearer ${jwt}` })).status).toBe(200);
    }
  }, 60_000);
});

describe('service-token management over HTTP: list, lastUsedAt, revoke (both forms)', () => {
  // Runs after the walk-through, whose last step reset the password.
  const password = newPassword;
  let jwt: string;
  let old: string;
  let current: string;
  const asAdmin = () => ({ Authorization: `Bearer ${jwt}` });
  const listTokens = async () => {
    const response = await call(`${api}/api/v2/service-tokens`, { headers: asAdmin() });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return (await read(response)).data as { id: string; status: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null }[];
  };
  const through = (token: string) => call(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${token}` } });

  it('rotates with a grace window: the listing shows both tokens, current first, never a value', async () => {
    jwt = (await read(await post('/api/v2/admin-account/jwt', { email: admin.email, password }))).data.accessToken;
    old = randomUUID();
    expect((await post('/api/v2/service-token', { token: old }, asAdmin())).status).toBe(200);
    const rotated = await post('/api/v2/service-token/rotate', { expireAt: 3600 }, { Authorization: `Bearer ${old}` });
    current = (await read(rotated)).key;
    const response = await call(`${api}/api/v2/service-tokens`, { headers: asAdmin() });
    const text = await response.text();
    for (const token of [old, current]) expect(text).not.toContain(token);
    const listed = JSON.parse(text).data;
    expect(listed.map((t: { status: string }) => t.status)).toEqual(['current', 'grace']);
    expect(listed[1].expiresAt).toEqual(expect.any(String));
    // The rotation in form (b) was the old token's last use.
    expect(listed[1].lastUsedAt).toEqual(expect.any(String));
    expect(listed[0].lastUsedAt).toBeNull();
  });

  it('records the use of the new token through the authorizer; introspection names its id', async () => {
    const described = await read(await through(current));
    const listed = await listTokens();
    expect(described.data.id).toBe(listed[0]!.id);
    expect(listed[0]!.lastUsedAt).toEqual(expect.any(String));
  });

  it('form (b): the current token ends every grace window; the old token is refused from the next request', async () => {
    const [, grace] = await listTokens();
    expect((await through(old)).status).toBe(200);
    const response = await post('/api/v2/service-token/revoke', {}, { Authorization: `Bearer ${current}` });
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ data: { revoked: [grace!.id] } });
    expect((await through(old)).status).toBe(403);
    expect((await through(current)).status).toBe(200);
    expect((await listTokens()).map((t) => t.id)).not.toContain(grace!.id);
    const byGrace = await post('/api/v2/service-token/revoke', {}, { Authorization: `Bearer ${old}` });
    expect(byGrace.status).toBe(401);
    expect(byGrace.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('form (a): the admin JWT revokes one token by id; an unknown id is 404', async () => {
    const next = (await read(await post('/api/v2/service-token/rotate', { expireAt: 600 }, { Authorization: `Bearer ${current}` }))).key as string;
    const [, grace] = await listTokens();
    const response = await post('/api/v2/service-token/revoke', { id: grace!.id }, asAdmin());
    expect(await read(response)).toEqual({ data: { revoked: [grace!.id] } });
    expect((await through(current)).status).toBe(403);
    expect((await through(next)).status).toBe(200);
    const again = await post('/api/v2/service-token/revoke', { id: grace!.id }, asAdmin());
    expect(again.status).toBe(404);
    expect(await read(again)).toEqual({ error: { code: 'SERVICE_TOKEN_NOT_FOUND', message: 'Service token not found' } });
    current = next;
  });

  it('both routes by direct invocation, with the same credentials', async () => {
    const listed = await read(await invoke('listServiceTokens', { headers: { authorization: `Bearer ${jwt}` } }));
    expect(listed.statusCode).toBe(200);
    const [only] = JSON.parse(listed.body).data;
    expect(only.status).toBe('current');
    const refused = await read(await invoke('revokeServiceToken', { headers: {}, body: { id: only.id } }));
    expect(refused.statusCode).toBe(401);
    const revoked = await read(await invoke('revokeServiceToken', { headers: { authorization: `Bearer ${jwt}` }, body: { id: only.id } }));
    expect(JSON.parse(revoked.body)).toEqual({ data: { revoked: [only.id] } });
    expect((await through(current)).status).toBe(403);
    expect(await listTokens()).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('is served under npm start as YAML and as JSON', async () => {
    const yaml = await fetch(`${docs}/openapi.yaml`);
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    const text = await yaml.text();
    expect(text).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
    const json = await fetch(`${docs}/openapi.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual(parse(text));
    expect((await fetch(`${docs}/elsewhere`)).status).toBe(404);
  });

  // Last: every answer received above, over HTTP and by direct invocation, against openapi.yaml.
  it('describes every answer the suite received', () => {
    const contract = OpenApiContract.load();
    const exercised = new Set(recorder.exchanges.map((e) => (e.via === 'http' ? `${e.method} ${e.path}` : e.operationId)));
    const unexercised = contract.operations().filter((o) => !exercised.has(`${o.method} ${o.path}`) && !exercised.has(o.operationId));
    const mismatches = [
      ...unexercised.map((o) => `${o.method} ${o.path} (${o.operationId}) never answered a request of this suite`),
      ...contract.checkAll(recorder.exchanges),
    ];
    if (mismatches.length > 0) {
      throw new Error(`openapi.yaml does not describe what the suite saw (${recorder.exchanges.length} exchanges recorded):\n${mismatches.join('\n')}`);
    }
    expect(recorder.exchanges.length).toBeGreaterThan(30);
  });
});

describe('the API docs page', () => {
  const operations = OpenApiContract.load().operations().map((o) => `${o.method} ${o.path}`);
  const { executable, inBrowser } = browserTest('the API docs page');
  let browser: Browser | undefined;
  let page: Page;
  /** Every request the page made, in order. */
  const requests: string[] = [];
  /** Uncaught exceptions thrown in the page. */
  const errors: string[] = [];

  beforeAll(async () => {
    if (!executable) return;
    browser = await launchChromium(executable);
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${docs}/`, { waitUntil: 'load' });
  }, 120_000);

  afterAll(() => browser?.close(), 30_000);

  it('serves Swagger UI from the installed swagger-ui-dist, and the document with this API as its server', async () => {
    const html = await fetch(`${docs}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await html.text();
    // Everything the page loads comes from the docs server itself: no CDN.
    const loaded = [...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(loaded).toEqual(expect.arrayContaining(['/swagger-ui/swagger-ui.css', '/swagger-ui/swagger-ui-bundle.js']));
    expect(loaded.filter((url) => !url.startsWith('/'))).toEqual([]);

    const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    const bundle = await fetch(`${docs}/swagger-ui/swagger-ui-bundle.js`);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(Buffer.from(await bundle.arrayBuffer()).equals(readFileSync(join(swaggerUi, 'swagger-ui-bundle.js')))).toBe(true);
    // Only the files the page needs, nothing else of the package or the disk.
    expect((await fetch(`${docs}/swagger-ui/package.json`)).status).toBe(404);
    expect((await fetch(`${docs}/swagger-ui/..%2F..%2Fpackage.json`)).status).toBe(404);

    const local = await fetch(`${docs}/openapi.local.json`);
    expect(local.status).toBe(200);
    const { servers, ...rest } = (await local.json()) as Record<string, unknown>;
    expect(servers).toEqual([{ url: api, description: expect.any(String) }]);
    const { servers: _written, ...asWritten } = parse(readFileSync(OPENAPI_FILE, 'utf8')) as Record<string, unknown>;
    expect(rest).toEqual(asWritten);
  });

  it('forwards /api-proxy to the API unchanged, without granting any other site CORS', async () => {
    const direct = await fetch(`${api}/api/v2/admin-account/jwt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":"x@example.com"}' });
    const proxied = await fetch(`${docs}/api-proxy/api/v2/admin-account/jwt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://elsewhere.example' },
      body: '{"email":"x@example.com"}',
    });
    expect(proxied.status).toBe(direct.status);
    expect(proxied.headers.get('cache-control')).toBe(direct.headers.get('cache-control'));
    expect(await proxied.json()).toEqual(await direct.json());
    expect([...proxied.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  inBrowser('renders every operation of openapi.yaml in headless Chromium, with the running API as the server', async () => {
    await page.locator('.opblock').first().waitFor({ timeout: 60_000 });
    await page.locator('.servers select').waitFor();
    // A string: this suite is type-checked without the DOM's types.
    const rendered = await page.evaluate(`({
      operations: [...document.querySelectorAll('.opblock')].map((block) =>
        block.querySelector('.opblock-summary-method').textContent + ' ' + block.querySelector('.opblock-summary-path').dataset.path),
      servers: [...document.querySelectorAll('.servers select option')].map((option) => option.value),
      selected: document.querySelector('.servers select').value,
      errors: document.querySelector('.errors-wrapper')?.innerText ?? null,
    })`) as { operations: string[]; servers: string[]; selected: string; errors: string | null };
    expect(rendered.errors).toBeNull();
    expect([...new Set(rendered.operations)].sort()).toEqual([...operations].sort());
    expect(rendered.servers).toEqual([api]);
    expect(rendered.selected).toBe(api);
    expect(errors).toEqual([]);
    // No CDN, no telemetry: every request went to the docs server (or is inline data).
    expect(requests.filter((url) => !url.startsWith(`${docs}/`) && !url.startsWith('data:'))).toEqual([]);
  }, 90_000);

  inBrowser('runs "Try it out" against the running API, showing its own URL', async () => {
    const { path } = OpenApiContract.load().operations().find((o) => o.method === 'GET')!;
    const expected = await fetch(`${api}${path}`);
    const block = page.locator('.opblock').filter({ has: page.locator(`.opblock-summary-method:text-is("GET")`) })
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    await block.locator('.opblock-summary-control').click();
    await block.locator('.try-out__btn').click();
    await block.locator('.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status');
    await status.waitFor({ timeout: 30_000 });
    // The same answer as the API gives directly: the request reached it (a blocked CORS request shows no status).
    expect((await status.textContent())!.trim()).toBe(String(expected.status));
    expect(JSON.parse((await block.locator('.live-responses-table .response-col_description pre').first().textContent())!)).toEqual(await expected.json());
    // The page shows the API's own URL; the browser's request went through the docs origin.
    expect(await block.locator('.request-url pre').textContent()).toBe(`${api}${path}`);
    expect(await block.locator('.curl-command pre').textContent()).toContain(`'${api}${path}'`);
    expect(requests).toContain(`${docs}/api-proxy${path}`);
  }, 60_000);
});

describe('stopping and restarting npm start', () => {
  it('Ctrl-C stops every process it started; a restart keeps accounts and tokens', async () => {
    const password = 'N3w!Passw0rd#';
    const signIn = () => post('/api/v2/admin-account/jwt', { email: admin.email, password });
    const jwt = (await read(await signIn())).data.accessToken as string;
    const token = randomUUID();
    expect((await post('/api/v2/service-token', { token }, { Authorization: `Bearer ${jwt}` })).status).toBe(200);

    const pid = stack.pid;
    expect(await interrupt()).toBe(0);
    // Its build folder and its lock on the data folder are gone with it.
    expect(existsSync(join(root, '.esbuild', `start-${pid}`))).toBe(false);
    expect(existsSync(join(dataDir, 'npm-start.pid'))).toBe(false);
    // Nothing is left listening: the API, the invoke endpoint, the docs and dynalite are all gone.
    for (const name of ['PORT', 'LAMBDA_PORT', 'DOCS_PORT', 'DYNAMODB_PORT']) {
      const probe = createServer().listen(Number(stackEnv[name]), 'localhost');
      await once(probe, 'listening');
      await new Promise((done) => probe.close(done));
    }

    // The first start generated the signing key set: keys of 256 random bits, owner-only, never printed.
    const secretFile = join(dataDir, 'jwt-secret');
    const secret = readFileSync(secretFile, 'utf8');
    const { keys } = JSON.parse(secret) as { keys: { k: string }[] };
    for (const { k } of keys) {
      expect(Buffer.from(k, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(output).not.toContain(k);
    }
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    await launch();
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    // A JWT issued before the restart still verifies: the same key set was reused.
    expect((await post('/api/v2/service-token', { token }, { Authorization: `Bearer ${jwt}` })).status).toBe(200);
    expect((await signIn()).status).toBe(200);
    expect((await call(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await post('/api/v2/admin-account', { ...admin, email: 'eve@example.com' })).status).toBe(400);
  }, 180_000);
});
