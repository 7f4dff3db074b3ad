import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The README's walk-through against the real local stack: `npm start` (scripts/start.ts) with
 * dynalite and serverless-offline, on free ports and a throwaway data folder, driven over HTTP.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, 'localhost');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

let stack: ChildProcess;
let output = '';
let dataDir: string;
let api: string;
let invoke: (fn: string, payload: unknown) => Promise<Response>;

beforeAll(async () => {
  const [port, lambdaPort, dynamodbPort] = [await freePort(), await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
  api = `http://localhost:${port}`;
  const stage = 'e2e';
  invoke = (fn, payload) =>
    fetch(`http://localhost:${lambdaPort}/2015-03-31/functions/databrain-admin-api-${stage}-${fn}/invocations`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
  stack = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LAMBDA_PORT: String(lambdaPort), DYNAMODB_PORT: String(dynamodbPort), DATA_DIR: dataDir, STAGE: stage },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 150_000;
  while (!output.includes('is running')) {
    if (stack.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}, 180_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    const exited = once(stack, 'exit');
    stack.kill('SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** A response body as JSON, typed loosely: the assertions say what it must be. */
const read = (response: Response): Promise<any> => response.json();

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

const admin = { firstName: 'Ada', email: 'ada@example.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' };

describe('the README walk-through over HTTP', () => {
  let jwt: string;
  let token: string;

  it('prints the URLs and a curl walk-through on start', () => {
    expect(output).toContain(api);
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
    const wrongType = await fetch(`${api}/api/v2/admin-account/jwt`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
    const badJson = await fetch(`${api}/api/v2/admin-account/jwt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(await read(badJson)).toEqual({ error: { code: 'INVALID_REQUEST_BODY', message: 'Request body must be valid JSON' } });
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
    const introspect = (bearer: string) => fetch(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${bearer}` } });

    it('introspects the current token through the authorizer, never echoing it', async () => {
      const response = await introspect(token);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(token);
      expect(JSON.parse(text)).toEqual({ data: { companyId: expect.any(String), createdAt: expect.any(String), expiresAt: null } });
    });

    it('denies an unknown token at the authorizer', async () => {
      expect((await introspect(randomUUID())).status).toBe(403);
    });

    it('rotates with a 2-second grace: the old token passes the authorizer, then is refused', async () => {
      const rotated = await post('/api/v2/service-token/rotate', { expireAt: 2 }, { Authorization: `Bearer ${token}` });
      expect(rotated.status).toBe(200);
      const { key } = await read(rotated);
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

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
