// Child process of a memory row of a Secrets Manager rotation function (scripts/bench/rotation.ts):
// the engines the function talks to, out of the measured process. Their state grows with every
// rotation (the Secrets Manager engine keeps every deprecated version, dynalite every write), and in
// the measured process it would count as the function's memory.
//
// Starts the Secrets Manager engine of test/support and an in-memory dynalite with the table of
// serverless.yml, creates what a rotation needs (the signing key set's secret; the published service
// token's secret as the stack creates it, and the admin account the token belongs to), sends where
// they are over IPC and serves until its parent disconnects or ends it.
import './child-env.ts';
import { randomBytes, randomUUID } from 'node:crypto';

/** What the measured process needs to find the engines. */
export interface RotationEngines {
  readonly secretsManager: { readonly endpoint: string; readonly region: string };
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** The signing key set's secret (rotateSigningKey). */
  readonly signingKeyArn: string;
  /** The published service token's secret (rotateServiceTokenSecret). */
  readonly serviceTokenArn: string;
}

const { startSecretsManager } = await import('../../test/support/secrets-manager.ts');
const { startDynalite, ensureTable } = await import('../dynamodb.ts');
const { newKeySet, serializeKeySet, KeySetCache, singleKeySet } = await import('../../lib/admin/signing-key.ts');
const { UNPUBLISHED } = await import('../../lib/service-token/published-rotation.ts');
const { createApp } = await import('../../lib/wiring/app.ts');
const { loadConfig } = await import('../../lib/runtime/config.ts');
const { systemClock } = await import('../../lib/runtime/clock.ts');
const { RequestLogger } = await import('../../lib/observability/logger.ts');
const { handlersFor } = await import('../../test/support/wiring.ts');

const secretsManager = await startSecretsManager();
const dynamodb = await startDynalite({ port: 0 });
const stop = () => {
  void Promise.allSettled([secretsManager.stop(), dynamodb.stop()]).then(() => process.exit(0));
};
process.once('disconnect', stop);
process.once('SIGTERM', stop);

const tableName = 'bench-rotation';
await ensureTable(dynamodb.endpoint, tableName);

// The admin account, signed up through the API as a company would (its own signing key: the JWT is not used).
const app = createApp(loadConfig({ ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamodb.endpoint }), {
  signingKeys: new KeySetCache(async () => singleKeySet(new Uint8Array(randomBytes(32)), 'bench'), systemClock),
  logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'SILENT' }),
});
const signUp = await handlersFor(app).createAdminAccount({
  version: '2.0',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', sourceIp: '203.0.113.10' }, requestId: randomUUID() },
  body: JSON.stringify({ firstName: 'Ada', email: 'ada@acme-corp.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' }),
  isBase64Encoded: false,
} as never);
if (signUp.statusCode !== 200) throw new Error(`sign-up failed: ${signUp.statusCode} ${signUp.body}`);

const engines: RotationEngines = {
  secretsManager: { endpoint: secretsManager.endpoint, region: secretsManager.region },
  dynamodbEndpoint: dynamodb.endpoint,
  tableName,
  signingKeyArn: secretsManager.create('bench-signing-keys', serializeKeySet(newKeySet(new Date()))).arn,
  serviceTokenArn: secretsManager.create('bench-service-token', UNPUBLISHED).arn,
};
// The engine records every request it answers (for tests); nobody reads them here.
setInterval(() => secretsManager.clearCalls(), 1000).unref();
process.send!(engines);
