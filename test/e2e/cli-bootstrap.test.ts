import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';
import { KeySetCache, singleKeySet } from '../../lib/admin/signing-key.ts';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { createApp } from '../../lib/wiring/app.ts';
import { loadConfig } from '../../lib/runtime/config.ts';
import { systemClock } from '../../lib/runtime/clock.ts';
import { ensureTable, startDynalite, type LocalEngine } from '../../scripts/dynamodb.ts';
import { eventFor } from '../support/harness.ts';
import { pointSdkAt, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';
import { handlersFor } from '../support/wiring.ts';

/*
 * `databrain-admin bootstrap` claiming an instance in claimMode setupCode (the deployed default),
 * end to end but for AWS itself: the real createAdminAccount handler, configured as the prod
 * template configures it, behind a Lambda invoke endpoint and an HTTP front of its own; the setup
 * code in the Secrets Manager test engine, named as the stack names it. The command line reads the
 * code with its own AWS SDK client, as it would from AWS.
 */

// A hang guard, far above what a loaded machine needs: no test here bounds how fast anything is.
jest.setTimeout(180_000);

const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(root, 'bin', 'databrain-admin.js');
const STAGE = 'claimtest';
const CODE = randomBytes(30).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 40);
const PASSWORD = 'Str0ng!Passw0rd-claim';
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;

let dynamodb: LocalEngine;
let secrets: SecretsManagerEngine;
let restoreSdk: () => void;
let lambda: Server;
let api: Server;
let lambdaEndpoint: string;
let apiUrl: string;
let tableName: string;
const invoked: string[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  dynamodb = await startDynalite({ port: 0 });
  secrets = await startSecretsManager();
  restoreSdk = pointSdkAt(secrets);
  const { arn } = secrets.create(`databrain-admin-api/${STAGE}/setup-code`, CODE);
  tableName = `claim-${randomBytes(4).toString('hex')}`;
  await ensureTable(dynamodb.endpoint, tableName);
  const config = loadConfig({
    TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamodb.endpoint, JWT_SECRET_FILE: '/not/used', AWS_REGION: secrets.region,
    CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: arn,
  });
  const key = new Uint8Array(randomBytes(32));
  const app = createApp(config, {
    signingKeys: new KeySetCache(async () => singleKeySet(key, 'claim'), systemClock),
    logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'SILENT' }),
  });
  const { createAdminAccount } = handlersFor(app);

  // Lambda's Invoke API, as the SDK calls it: POST /2015-03-31/functions/<name>/invocations.
  lambda = createServer(async (request, response) => {
    const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '');
    invoked.push(name);
    const payload = JSON.parse(await bodyOf(request));
    if (!name.endsWith('-createAdminAccount')) {
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        .end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await createAdminAccount(payload)));
  });
  // An HTTP API in front of the same function: each request becomes the payload 2.0 event API Gateway would send.
  api = createServer(async (request, response) => {
    const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    const result = await createAdminAccount(eventFor('http-api', { path: request.url ?? '/', method: request.method ?? 'GET', headers, body: await bodyOf(request), contentType: null }));
    response.writeHead(result.statusCode, result.headers).end(result.body);
  });
  lambdaEndpoint = await listen(lambda);
  apiUrl = await listen(api);
}, 60_000);

afterAll(async () => {
  restoreSdk?.();
  await Promise.all([
    lambda && new Promise((done) => lambda.close(done)),
    api && new Promise((done) => api.close(done)),
    secrets?.stop(),
    dynamodb?.stop(),
  ]);
});

const items = async () => (await createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: dynamodb.endpoint })
  .send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];

async function bootstrap(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'bootstrap', '--first-name', 'Ada', '--email', 'ada@acme-claim.com', '--company-name', 'Acme', ...args], {
    cwd: root,
    // The deployer's AWS credentials (dummy, for the engine), and where the engine is.
    env: {
      PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: secrets.region,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint, DATABRAIN_ADMIN_PASSWORD: PASSWORD, ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

/** The command line's reads of a setup code (by name; the function reads its own by ARN). */
const reads = () => secrets.calls.filter((call) => call.operation === 'GetSecretValue' && !String(call.input.SecretId).startsWith('arn:'))
  .map((call) => call.input.SecretId as string);

describe('databrain-admin bootstrap, claimMode setupCode', () => {
  it('refuses a setup code given by hand that is not the stage\'s: exit 1, said as such, nothing written', async () => {
    const run = await bootstrap(['--stage', STAGE, '--endpoint', lambdaEndpoint], { DATABRAIN_SETUP_CODE: 'not-the-code' });
    expect(run).toEqual({ status: 1, stdout: '', stderr: 'databrain-admin: the setup code in DATABRAIN_SETUP_CODE or --setup-code-stdin was refused: is it this stage\'s? (SETUP_CODE_REQUIRED)\n' });
    expect(reads()).toEqual([]); // a code given by hand is not looked up
    expect(await items()).toEqual([]);
  });

  it('names the secret it did not find for a stage without one: exit 1, nothing written', async () => {
    const run = await bootstrap(['--stage', 'nosuchstage', '--endpoint', lambdaEndpoint]);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'databrain-admin: the instance asks for its setup code, and databrain-admin-api/nosuchstage/setup-code does not exist: is --stage right? (SETUP_CODE_REQUIRED)\n',
    });
    expect(reads()).toEqual(['databrain-admin-api/nosuchstage/setup-code']);
    expect(invoked.at(-1)).toBe('databrain-admin-api-nosuchstage-createAdminAccount');
    expect(await items()).toEqual([]);
  });

  it('over --url without --stage: no code to send, the API\'s refusal explained', async () => {
    const run = await bootstrap(['--url', apiUrl]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('databrain-admin: the instance asks for its setup code: give --stage (its code is read from Secrets Manager) or the code itself (SETUP_CODE_REQUIRED)\n');
    expect(await items()).toEqual([]);
  });

  it('--stage with --url: reads the stage\'s code and sends it as X-Setup-Code over HTTP; the claim succeeds once', async () => {
    const run = await bootstrap(['--stage', STAGE, '--url', apiUrl], {}, '');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.trimEnd()).toMatch(JWT);
    expect(reads().at(-1)).toBe(`databrain-admin-api/${STAGE}/setup-code`);
    expect(await items()).toEqual([expect.objectContaining({ pk: 'ACCOUNT', email: 'ada@acme-claim.com', companyName: 'Acme' })]);

    // The code is burned: a second claim, with it, by direct invocation this time, is refused and changes nothing.
    const before = await items();
    const again = await bootstrap(['--stage', STAGE, '--endpoint', lambdaEndpoint]);
    expect(again).toEqual({ status: 1, stdout: '', stderr: 'databrain-admin: INVALID_REQUEST: Your company account is already created, please sign in\n' });
    expect(invoked.at(-1)).toBe(`databrain-admin-api-${STAGE}-createAdminAccount`);
    expect(await items()).toEqual(before);
  });

  it('bad input is refused before anything is read or sent: a missing flag, a secret on the command line', async () => {
    const calls = secrets.calls.length;
    const sent = invoked.length;
    const noName = spawnBootstrapWithout('--first-name');
    expect(await noName).toEqual({ status: 2, stdout: '', stderr: 'databrain-admin: needs --first-name <the admin\'s first name>\n' });
    const inArgv = await bootstrap(['--stage', STAGE, '--endpoint', lambdaEndpoint, '--setup-code', CODE]);
    expect({ status: inArgv.status, stdout: inArgv.stdout }).toEqual({ status: 2, stdout: '' });
    expect(inArgv.stderr).toMatch(/^databrain-admin: refusing --setup-code: secrets are never taken from the command line/);
    expect(inArgv.stderr).not.toContain(CODE);
    expect(secrets.calls.length).toBe(calls);
    expect(invoked.length).toBe(sent);
  });
});

async function spawnBootstrapWithout(flag: string) {
  const args = ['--first-name', 'Ada', '--email', 'ada@acme-claim.com', '--company-name', 'Acme'];
  const at = args.indexOf(flag);
  args.splice(at, 2);
  const child = spawn(process.execPath, [BIN, 'bootstrap', ...args, '--stage', STAGE, '--endpoint', lambdaEndpoint], {
    cwd: root, env: { PATH: process.env.PATH, DATABRAIN_ADMIN_PASSWORD: PASSWORD }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end('');
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}
