import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * `npm start` (scripts/start.ts) on free ports and a throwaway data folder, for end-to-end suites
 * that need the running stack and nothing else of it (test/e2e/local-stack.test.ts starts its own,
 * as it also stops and restarts it).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, 'localhost');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export interface LocalStack {
  /** The HTTP API, e.g. http://localhost:3000. */
  api: string;
  /** The API docs (Swagger UI), e.g. http://localhost:3001. */
  docs: string;
  /** serverless-offline's Lambda invoke endpoint, e.g. http://localhost:3002. */
  lambdaEndpoint: string;
  stage: string;
  /** Its data folder (dynalite's files, the signing key set). */
  dataDir: string;
  /** Everything npm start printed so far. */
  output(): string;
  /** Ctrl-C, then the data folder removed. */
  stop(): Promise<void>;
}

/** `unset`: variables of this process's environment that npm start must not inherit. */
export async function startLocalStack(stage = 'e2e', options: { unset?: readonly string[] } = {}): Promise<LocalStack> {
  const [port, lambdaPort, dynamodbPort, docsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LAMBDA_PORT: String(lambdaPort),
    DYNAMODB_PORT: String(dynamodbPort),
    DOCS_PORT: String(docsPort),
    DATA_DIR: dataDir,
    STAGE: stage,
  };
  for (const name of options.unset ?? []) delete env[name];
  let output = '';
  const stack: ChildProcess = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    if (stack.exitCode === null && stack.signalCode === null) {
      const exited = once(stack, 'exit');
      stack.kill('SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 150_000;
  while (!output.includes('is running')) {
    if (stack.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return { api: `http://localhost:${port}`, docs: `http://localhost:${docsPort}`, lambdaEndpoint: `http://localhost:${lambdaPort}`, stage, dataDir, output: () => output, stop };
}
