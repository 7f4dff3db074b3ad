import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Chromium, findChromium, type Page } from '../support/chromium.ts';
import { asApiGatewayAnswer, ExchangeRecorder } from '../support/exchange-recorder.ts';
import { OPENAPI_FILE, OpenApiContract } from '../support/openapi-contract.ts';

/*
 * The README's walk-through against the real local stack: `npm start` (scripts/start.ts) with
 * dynalite and serverless-offline, on free ports and a throwaway data folder, driven over HTTP.
 * Every request to the API is recorded, and the last test checks every answer against openapi.yaml.
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
let docs: string;
let invoke: (fn: string, payload: unknown) => Promise<Response>;
const recorder = new ExchangeRecorder();
let stackEnv: NodeJS.ProcessEnv;

/** `npm start` (scripts/start.ts) with the suite's ports and data folder, up when it says so. */
async function launch(): Promise<void> {
  output = '';
  stack = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], { cwd: root, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 150_000;
  while (!output.includes('is running')) {
    if (stack.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Ctrl-C, as a terminal sends it; resolves with the exit code. */
async function interrupt(): Promise<number | null> {
  const exited = once(stack, 'exit');
  stack.kill('SIGINT');
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

describe('the README walk-through over HTTP', () => {
  let jwt: string;
  let token: string;

  it('prints the URLs and a curl walk-through on start', () => {
    expect(output).toContain(api);
    expect(output).toContain(`${docs}/openapi.yaml`);
    expect(output).toContain(`API docs         ${docs}/`);
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
    });

    it('denies an unknown token at the authorizer', async () => {
      expect((await introspect(randomUUID())).status).toBe(403);
    });

    it('answers a request without Authorization header at the authorizer with 401', async () => {
      expect((await call(`${api}/api/v2/service-token`)).status).toBe(401);
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

describe('service-token management over HTTP: list, lastUsedAt, revoke (both forms)', () => {
  // Runs after the walk-through, whose last step reset the password.
  const password = 'N3w!Passw0rd#';
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
      ...contract.checkAll(recorder.exchanges.map(asApiGatewayAnswer)),
    ];
    if (mismatches.length > 0) {
      throw new Error(`openapi.yaml does not describe what the suite saw (${recorder.exchanges.length} exchanges recorded):\n${mismatches.join('\n')}`);
    }
    expect(recorder.exchanges.length).toBeGreaterThan(30);
  });
});

describe('the API docs page', () => {
  const operations = OpenApiContract.load().operations().map((o) => `${o.method} ${o.path}`);
  const chromium = findChromium();
  if (!chromium) {
    const line = '!'.repeat(78);
    const missing = process.env.CHROMIUM ? `$CHROMIUM (${process.env.CHROMIUM}) does not run` : 'no chromium on the PATH';
    console.warn(`${line}\n!! SKIPPED: the API docs page in a real browser — ${missing}.\n`
      + `!! Install Debian's chromium (apt-get install -y chromium; .ci/run does) to run it.\n${line}`);
  }
  const inBrowser = chromium ? it : it.skip;
  let browser: Chromium | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!chromium) return;
    browser = await Chromium.launch(chromium);
    page = await browser.open(`${docs}/`);
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
    const rendered = await page.evaluate<{ operations: string[]; servers: string[]; selected: string; errors: string | null }>(`(async () => {
      const deadline = Date.now() + 60000;
      while (document.querySelectorAll('.opblock').length === 0 || !document.querySelector('.servers select')) {
        if (Date.now() > deadline) throw new Error('Swagger UI rendered no operation within 60 s: ' + document.body.innerText.slice(0, 500));
        await new Promise((done) => setTimeout(done, 100));
      }
      return {
        operations: [...document.querySelectorAll('.opblock')].map((block) =>
          block.querySelector('.opblock-summary-method').textContent + ' ' + block.querySelector('.opblock-summary-path').dataset.path),
        servers: [...document.querySelectorAll('.servers select option')].map((option) => option.value),
        selected: document.querySelector('.servers select').value,
        errors: document.querySelector('.errors-wrapper')?.innerText ?? null,
      };
    })()`);
    expect(rendered.errors).toBeNull();
    expect([...new Set(rendered.operations)].sort()).toEqual([...operations].sort());
    expect(rendered.servers).toEqual([api]);
    expect(rendered.selected).toBe(api);
    expect(page.errors).toEqual([]);
    // No CDN, no telemetry: every request went to the docs server (or is inline data).
    expect(page.requests.filter((url) => !url.startsWith(`${docs}/`) && !url.startsWith('data:'))).toEqual([]);
  }, 90_000);

  inBrowser('runs "Try it out" against the running API, showing its own URL', async () => {
    const { path } = OpenApiContract.load().operations().find((o) => o.method === 'GET')!;
    const expected = await fetch(`${api}${path}`);
    const shown = await page.evaluate<{ status: string; requestUrl: string; curl: string; body: string }>(`(async () => {
      const waitFor = async (find, what) => {
        const deadline = Date.now() + 30000;
        for (let found = find(); !found; found = find()) {
          if (Date.now() > deadline) throw new Error('Swagger UI showed no ' + what + ' within 30 s');
          await new Promise((done) => setTimeout(done, 100));
        }
        return find();
      };
      const block = [...document.querySelectorAll('.opblock')].find((b) =>
        b.querySelector('.opblock-summary-method').textContent === 'GET' && b.querySelector('.opblock-summary-path').dataset.path === ${JSON.stringify(path)});
      block.querySelector('.opblock-summary-control').click();
      (await waitFor(() => block.querySelector('.try-out__btn'), '"Try it out" button')).click();
      (await waitFor(() => block.querySelector('.execute'), '"Execute" button')).click();
      const status = await waitFor(() => block.querySelector('.live-responses-table .response .response-col_status'), 'response');
      return {
        status: status.textContent.trim(),
        requestUrl: block.querySelector('.request-url pre').textContent,
        curl: block.querySelector('.curl-command pre').textContent,
        body: block.querySelector('.live-responses-table .response-col_description pre').textContent,
      };
    })()`);
    // The same answer as the API gives directly: the request reached it (a blocked CORS request shows no status).
    expect(shown.status).toBe(String(expected.status));
    expect(JSON.parse(shown.body)).toEqual(await expected.json());
    // The page shows the API's own URL; the browser's request went through the docs origin.
    expect(shown.requestUrl).toBe(`${api}${path}`);
    expect(shown.curl).toContain(`'${api}${path}'`);
    expect(page.requests).toContain(`${docs}/api-proxy${path}`);
  }, 60_000);
});

describe('stopping and restarting npm start', () => {
  it('Ctrl-C stops every process it started; a restart keeps accounts and tokens', async () => {
    const password = 'N3w!Passw0rd#';
    const signIn = () => post('/api/v2/admin-account/jwt', { email: admin.email, password });
    const jwt = (await read(await signIn())).data.accessToken as string;
    const token = randomUUID();
    expect((await post('/api/v2/service-token', { token }, { Authorization: `Bearer ${jwt}` })).status).toBe(200);

    expect(await interrupt()).toBe(0);
    // Nothing is left listening: the API, the invoke endpoint, the docs and dynalite are all gone.
    for (const name of ['PORT', 'LAMBDA_PORT', 'DOCS_PORT', 'DYNAMODB_PORT']) {
      const probe = createServer().listen(Number(stackEnv[name]), 'localhost');
      await once(probe, 'listening');
      await new Promise((done) => probe.close(done));
    }

    // The first start generated the signing secret: 256 random bits, owner-only, never printed.
    const secretFile = join(dataDir, 'jwt-secret');
    const secret = readFileSync(secretFile, 'utf8');
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(output).not.toContain(secret);

    await launch();
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    // A JWT issued before the restart still verifies: the same secret was reused.
    expect((await post('/api/v2/service-token', { token }, { Authorization: `Bearer ${jwt}` })).status).toBe(200);
    expect((await signIn()).status).toBe(200);
    expect((await call(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await post('/api/v2/admin-account', { ...admin, email: 'eve@example.com' })).status).toBe(400);
  }, 180_000);
});
