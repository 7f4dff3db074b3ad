// `npm start`: the API on this machine. dynalite (persisted under DATA_DIR) stands in for DynamoDB
// and serverless-offline serves the functions of serverless.yml, bundled by serverless-esbuild.
// The API docs (Swagger UI and openapi.yaml, scripts/docs-server.ts) are served beside them on DOCS_PORT.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocsServer } from './docs-server.ts';
import { ensureTable, startDynalite } from './dynamodb.ts';
import { readServerlessConfig } from './serverless-config.ts';
import type { LocalEngine } from './dynamodb.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGION = 'us-east-1';

interface Config {
  port: number;
  lambdaPort: number;
  dynamodbPort: number;
  docsPort: number;
  dataDir: string;
  stage: string;
  tableName: string;
  service: string;
}

class ConfigError extends Error {}

/** Settings from the environment; an empty variable counts as unset. */
function readConfig(env: NodeJS.ProcessEnv): Config {
  const setting = (name: string) => env[name] || undefined;
  const port = (name: string, fallback: number): number => {
    const raw = setting(name) ?? String(fallback);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
      throw new ConfigError(`${name} must be a port number from 1 to 65535, got '${raw}'`);
    }
    return value;
  };
  const config = {
    port: port('PORT', 3000),
    lambdaPort: port('LAMBDA_PORT', 3002),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    docsPort: port('DOCS_PORT', 3001),
  };
  const ports = Object.values(config);
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError(`PORT, LAMBDA_PORT, DYNAMODB_PORT and DOCS_PORT must differ, got ${ports.join(', ')}`);
  }

  const dataDir = resolve(setting('DATA_DIR') ?? join(ROOT, '.data'));
  const stage = setting('STAGE') ?? 'local';
  // The rule serverless itself applies to stage names.
  if (!/^[A-Za-z0-9-]+$/.test(stage)) {
    throw new ConfigError(`STAGE may contain only ASCII letters, digits and hyphens, got '${stage}'`);
  }
  const service = readServerlessConfig().service;
  if (!service) throw new ConfigError('serverless.yml has no service name');
  // Same default as custom.tableName in serverless.yml.
  const tableName = setting('TABLE_NAME') ?? `${service}-${stage}`;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigError(`TABLE_NAME must be 3-255 of A-Z a-z 0-9 _ . -, got '${tableName}'`);
  }
  return { ...config, dataDir, stage, tableName, service };
}

/** Fails early and clearly: serverless-offline only logs a taken Lambda port and carries on. */
async function assertPortFree(name: string, port: number): Promise<void> {
  const probe = createServer();
  probe.listen(port, 'localhost');
  try {
    await once(probe, 'listening');
  } catch (error) {
    throw new ConfigError(`${name} ${port} is not available: ${(error as Error).message}`, { cause: error });
  }
  await new Promise((done) => probe.close(done));
}

/** The local JWT signing secret: made on the first start, reused afterwards, never printed. */
function ensureJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      // 'wx' never overwrites a secret that appeared in the meantime.
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    }
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${dataDir} is not usable: ${(error as Error).message}`, { cause: error });
  }
  return file;
}

function startServerlessOffline(config: Config, env: NodeJS.ProcessEnv): ChildProcess {
  // process.execPath rather than the script's `#!/usr/bin/env node`: keeps the Node 24 we run on
  // even when the PATH's `node` is another one.
  return spawn(process.execPath, [
    join(ROOT, 'node_modules', '.bin', 'serverless'), 'offline', 'start',
    '--stage', config.stage,
    '--httpPort', String(config.port),
    '--lambdaPort', String(config.lambdaPort),
    // Feeds custom.tableName, so the handlers' TABLE_NAME is the table ensured here.
    '--param', `tableName=${config.tableName}`,
    // The functions get JWT_SECRET_FILE (below), so serverless.yml must not also give them
    // JWT_SECRET_ARN: lib/runtime/config.ts accepts exactly one of the two.
    '--param', 'jwtSecretSource=file',
  ], {
    cwd: ROOT,
    env,
    // Its own process group, so that stopping it reaches esbuild and anything else it started,
    // and a Ctrl-C in the terminal reaches only us: we do the stopping, in order.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** SIGTERM to the whole group, then SIGKILL to whatever is left after a grace period. */
async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const { pid } = child;
  if (pid === undefined) return; // never started
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // group already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    signalGroup('SIGTERM');
    await Promise.race([exited, new Promise((done) => setTimeout(done, graceMs).unref())]);
  }
  signalGroup('SIGKILL');
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return; // Any answer, a 404 included, means the server is up.
    } catch {
      if (Date.now() > deadline) throw new Error(`serverless offline did not answer on ${url} within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

function printWelcome(config: Config, dynamodbEndpoint: string): void {
  const api = `http://localhost:${config.port}`;
  const json = `-H 'Content-Type: application/json'`;
  const credentials = `"email":"ada@example.com","password":"Str0ng!Passw0rd"`;
  const functionName = `${config.service}-${config.stage}-createAdminAccount`;
  console.log(`
Databrain admin API (stage ${config.stage}) is running.
  API              ${api}
  Lambda invoke    http://localhost:${config.lambdaPort}/2015-03-31/functions/${functionName}/invocations
                   (function names: ${config.service}-${config.stage}-<function>)
  DynamoDB         ${dynamodbEndpoint}  (table ${config.tableName})
  API docs         http://localhost:${config.docsPort}/  (Swagger UI; "Try it out" calls this API)
  OpenAPI          http://localhost:${config.docsPort}/openapi.yaml  (also /openapi.json)
  Data folder      ${config.dataDir}

Try it:
  # 1. create the admin account
  curl -s -X POST ${api}/api/v2/admin-account ${json} \\
    -d '{"firstName":"Ada",${credentials},"companyName":"Acme"}'

  # 2. sign in; the answer is {"data":{"accessToken":"..."}}
  JWT=$(curl -s -X POST ${api}/api/v2/admin-account/jwt ${json} \\
    -d '{${credentials}}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')

  # 3. create a service token; the answer is {"key":"..."}
  curl -s -X POST ${api}/api/v2/service-token ${json} -H "Authorization: Bearer $JWT" \\
    -d '{"token":"${randomUUID()}"}'

Ctrl-C stops everything; accounts and tokens are kept for the next start.
`);
}

async function main(): Promise<void> {
  let config: Config;
  let jwtSecretFile: string;
  try {
    config = readConfig(process.env);
    await assertPortFree('PORT', config.port);
    await assertPortFree('LAMBDA_PORT', config.lambdaPort);
    await assertPortFree('DOCS_PORT', config.docsPort);
    jwtSecretFile = ensureJwtSecret(config.dataDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }

  let db: LocalEngine;
  try {
    db = await startDynalite({ port: config.dynamodbPort, path: join(config.dataDir, 'dynalite') });
  } catch (error) {
    console.error(`npm start: DYNAMODB_PORT: ${(error as Error).message}`);
    process.exit(1);
  }
  await ensureTable(db.endpoint, config.tableName);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TABLE_NAME: config.tableName,
    DYNAMODB_ENDPOINT: db.endpoint,
    JWT_SECRET_FILE: jwtSecretFile,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  // Real AWS settings from the shell must not mix with the dummy credentials above.
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  let docs: Server;
  try {
    docs = await startDocsServer({ port: config.docsPort, api: `http://localhost:${config.port}` });
  } catch (error) {
    console.error(`npm start: DOCS_PORT: ${(error as Error).message}`);
    await db.stop();
    process.exit(1);
  }
  const offline = startServerlessOffline(config, env);

  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await stopGroup(offline);
    docs.closeAllConnections();
    await new Promise((done) => docs.close(done));
    await db.stop();
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(0));
  }
  offline.once('error', (error) => {
    console.error(`npm start: could not run serverless offline: ${error.message}`);
    void stop(1);
  });
  offline.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`npm start: serverless offline stopped by itself (${signal ?? `exit code ${code}`})`);
    void stop(code || 1);
  });

  try {
    await waitForHttp(`http://localhost:${config.port}/`, offline);
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    await stop(1);
  }
  if (!stopping) printWelcome(config, db.endpoint);
}

await main();
