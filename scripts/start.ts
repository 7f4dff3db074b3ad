// `npm start`: the API on this machine. dynalite (persisted under DATA_DIR) stands in for DynamoDB
// and serverless-offline serves the functions of serverless.yml, bundled by serverless-esbuild,
// behind a small gateway (scripts/local-gateway.ts) on PORT that answers like API Gateway where
// serverless-offline does not. The API docs (Swagger UI and openapi.yaml, scripts/docs-server.ts) are
// served beside them on DOCS_PORT.
// docs/local-development.md describes it all.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataFolderInUse, lockDataFolder } from './data-folder-lock.ts';
import { startDocsServer } from './docs-server.ts';
import { ensureTable, startDynalite } from './dynamodb.ts';
import { routesOf, startLocalGateway } from './local-gateway.ts';
import { newKeySet, serializeKeySet } from '../lib/admin/signing-key.ts';
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
  /** LOCAL_FUNCTION_TIMEOUT: the functions' timeout in seconds, when not serverless.yml's. */
  functionTimeout: number | undefined;
  /** LOCAL_CONCURRENCY: requests in flight per function at most (the others queue). */
  concurrency: number;
  /** LOCAL_DYNAMODB_DELAY_MS: every DynamoDB request of the functions waits this long first. */
  dynamodbDelayMs: number;
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
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const raw = setting(name) ?? String(fallback);
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
    }
    return Number(raw);
  };
  // Lambda's own bounds for a timeout.
  const functionTimeout = setting('LOCAL_FUNCTION_TIMEOUT') === undefined ? undefined : integer('LOCAL_FUNCTION_TIMEOUT', 1, 900, 0);
  const concurrency = integer('LOCAL_CONCURRENCY', 1, 1000, availableParallelism());
  const dynamodbDelayMs = integer('LOCAL_DYNAMODB_DELAY_MS', 0, 600_000, 0);
  return { ...config, dataDir, stage, tableName, service, functionTimeout, concurrency, dynamodbDelayMs };
}

/** A port nothing listens on right now (for serverless-offline's HTTP server, behind the gateway). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, 'localhost');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

// Each npm start bundles into its own work folder of serverless-esbuild, .esbuild/start-<pid>,
// removed when it stops; `npm run package` uses .esbuild/package (serverless.yml,
// custom.esbuild.outputWorkFolder) and deletes it when done, so neither pulls the bundles from
// under the other.
const BUILD_PREFIX = 'start-';
const buildFolder = (pid: number) => join('.esbuild', `${BUILD_PREFIX}${pid}`);

/** Work folders of npm starts that are gone without cleaning up (killed). */
function removeStaleBuildFolders(): void {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, '.esbuild'));
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.slice(BUILD_PREFIX.length));
    if (!entry.startsWith(BUILD_PREFIX) || !Number.isSafeInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(ROOT, '.esbuild', entry), { recursive: true, force: true });
    }
  }
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

/**
 * The local JWT signing key set: made on the first start, reused afterwards, never printed. A file
 * from before key sets (one base64url secret) is read as a set of one key; `npm run
 * rotate-signing-key` turns it into a key set that keeps it (docs/security.md).
 */
function ensureJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      // 'wx' never overwrites a secret that appeared in the meantime.
      writeFileSync(file, serializeKeySet(newKeySet(new Date())), { mode: 0o600, flag: 'wx' });
    }
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${dataDir} is not usable: ${(error as Error).message}`, { cause: error });
  }
  return file;
}

function startServerlessOffline(config: Config, httpPort: number, env: NodeJS.ProcessEnv): ChildProcess {
  // process.execPath rather than the script's `#!/usr/bin/env node`: keeps the Node 24 we run on
  // even when the PATH's `node` is another one.
  return spawn(process.execPath, [
    join(ROOT, 'node_modules', '.bin', 'serverless'), 'offline', 'start',
    '--stage', config.stage,
    // Behind the gateway, which listens on PORT.
    '--httpPort', String(httpPort),
    '--lambdaPort', String(config.lambdaPort),
    // Feeds custom.tableName, so the handlers' TABLE_NAME is the table ensured here.
    '--param', `tableName=${config.tableName}`,
    // The functions get JWT_SECRET_FILE (below), so serverless.yml must not also give them
    // JWT_SECRET_ARN: lib/runtime/config.ts accepts exactly one of the two.
    '--param', 'jwtSecretSource=file',
    // The local quick start stays the vendor's: the first caller claims the instance. Deployed
    // stages default to claimMode setupCode (serverless.yml; docs/deployment.md).
    '--param', 'claimMode=open',
    '--param', `esbuildWorkFolder=${buildFolder(process.pid)}`,
    ...(config.functionTimeout === undefined ? [] : ['--param', `functionTimeout=${config.functionTimeout}`]),
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
  Admin console    ${api}/console
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
  let dataLock: { release(): void };
  try {
    config = readConfig(process.env);
    jwtSecretFile = ensureJwtSecret(config.dataDir);
    // Before the ports: a second start on the same folder is told so, whatever its ports.
    dataLock = lockDataFolder(config.dataDir);
    await assertPortFree('PORT', config.port);
    await assertPortFree('LAMBDA_PORT', config.lambdaPort);
    await assertPortFree('DOCS_PORT', config.docsPort);
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof DataFolderInUse)) throw error;
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
  // After the table is ensured: only the functions' requests are slowed down.
  if (config.dynamodbDelayMs > 0) db.delayRequests?.(config.dynamodbDelayMs);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TABLE_NAME: config.tableName,
    DYNAMODB_ENDPOINT: db.endpoint,
    JWT_SECRET_FILE: jwtSecretFile,
    // The functions re-read the local key set every 5 s (AWS: 5 min), so that `npm run rotate-signing-key` shows at once.
    JWT_KEY_SET_MAX_AGE_SECONDS: process.env.JWT_KEY_SET_MAX_AGE_SECONDS || '5',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  // Real AWS settings from the shell must not mix with the dummy credentials above.
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  let docs: Server;
  let gateway: Server;
  const offlinePort = await freePort();
  try {
    docs = await startDocsServer({ port: config.docsPort, api: `http://localhost:${config.port}` });
    gateway = await startLocalGateway({
      port: config.port, upstreamPort: offlinePort, routes: routesOf(readServerlessConfig()), concurrency: config.concurrency,
    });
  } catch (error) {
    console.error(`npm start: DOCS_PORT or PORT: ${(error as Error).message}`);
    await db.stop();
    process.exit(1);
  }
  removeStaleBuildFolders();
  const offline = startServerlessOffline(config, offlinePort, env);

  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await stopGroup(offline);
    rmSync(join(ROOT, buildFolder(process.pid)), { recursive: true, force: true });
    for (const server of [gateway, docs]) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
    await db.stop();
    dataLock.release();
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
    await waitForHttp(`http://localhost:${offlinePort}/`, offline);
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    await stop(1);
  }
  if (!stopping) printWelcome(config, db.endpoint);
}

await main();
