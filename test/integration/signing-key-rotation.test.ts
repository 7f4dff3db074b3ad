// Signing keys that rotate (CONTRACT §8), against the Secrets Manager engine of test/support: the
// rotation function step by step, and the functions reading the key set through JWT_SECRET_ARN, the
// production read path (the SDK finds the engine through AWS_ENDPOINT_URL_SECRETS_MANAGER).
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { PutSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ensureTable } from '../../scripts/dynamodb.ts';
import { createHandler as rotationHandler } from '../../handlers/rotateSigningKey.ts';
import { AuditLog } from '../../lib/observability/audit.ts';
import { ApiMetrics } from '../../lib/observability/metrics.ts';
import { newKeySet, parseKeySet, serializeKeySet, type KeySet } from '../../lib/admin/signing-key.ts';
import { createApp } from '../../lib/wiring/app.ts';
import { loadConfig } from '../../lib/runtime/config.ts';
import { engineEndpoint } from '../support/engine.ts';
import { ADMIN, ManualClock, PATHS, bearer, call, jwtHeader, type Answer } from '../support/harness.ts';
import { captureOutput } from '../support/proof.ts';
import { pointSdkAt, secretsManagerClient, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';
import { handlersFor } from '../support/wiring.ts';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:databrain-admin-api-test-rotateSigningKey';

let engine: SecretsManagerEngine;
let client: SecretsManagerClient;
let restoreEnvironment: () => void;

beforeAll(async () => {
  engine = await startSecretsManager();
  client = secretsManagerClient(engine);
  restoreEnvironment = pointSdkAt(engine);
});

afterEach(() => {
  engine.clearFaults();
});

afterAll(async () => {
  client.destroy();
  await engine.stop();
  restoreEnvironment();
});

/** A fresh secret holding `value` (a new key set by default). */
function createSecret(value: string = serializeKeySet(newKeySet(new Date()))): string {
  return engine.create(`jwt-${randomUUID()}`, value).arn;
}

/** What Secrets Manager does when a rotation starts: a new version labelled AWSPENDING, without a value. */
async function startRotation(arn: string): Promise<string> {
  const token = randomUUID();
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token, RotationLambdaARN: ROTATION_LAMBDA, RotationRules: { AutomaticallyAfterDays: 30 } }));
  return token;
}

const clock = new ManualClock();
const rotate = rotationHandler(clock, new Logger({ serviceName: 'databrain-admin-api', logLevel: 'INFO' }), new AuditLog({
  serviceName: 'databrain-admin-api', silent: false, clock, metrics: new ApiMetrics({ serviceName: 'databrain-admin-api', batchMs: 0 }),
}));

/** One step, as Secrets Manager invokes the function; the log lines it wrote. */
async function step(arn: string, token: string, name: string): Promise<string> {
  return (await captureOutput(() => rotate({ SecretId: arn, ClientRequestToken: token, Step: name }))).output;
}

/** All four steps; the log lines they wrote. */
async function rotateFully(arn: string): Promise<string> {
  const token = await startRotation(arn);
  let output = '';
  for (const name of STEPS) output += await step(arn, token, name);
  return output;
}

const current = (arn: string): KeySet => parseKeySet(engine.valueAt(arn)!, 'test');
const auditLines = (output: string) => output.split('\n').filter((line) => line.includes('"audit"')).map((line) => JSON.parse(line));

describe('the rotation function, step by step', () => {
  it('rotates through the four steps: the next key becomes current, the old current stays, AWSPREVIOUS keeps the old set', async () => {
    const arn = createSecret();
    const before = engine.valueAt(arn)!;
    const old = parseKeySet(before, 'test');
    const token = await startRotation(arn);
    const connections = engine.connections;
    let output = '';
    for (const name of STEPS) output += await step(arn, token, name);
    // The steps share the container's one Secrets Manager client: one connection at most (none if
    // an earlier test left it open).
    expect(engine.connections - connections).toBeLessThanOrEqual(1);
    const after = current(arn);
    expect(after.current).toBe(old.keys[1]!.kid);
    expect(after.keys.slice(0, 2)).toEqual(old.keys);
    expect(after.keys).toHaveLength(3);
    expect(engine.valueAt(arn, 'AWSPREVIOUS')).toBe(before);

    // One audit line, at INFO, with the new kid and never a key.
    const audits = auditLines(output);
    expect(audits).toEqual([expect.objectContaining({
      level: 'INFO', audit: 'signing_key.rotated', outcome: 'success', actor: 'system', keyId: after.current, source: 'direct',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })]);
    for (const key of after.keys) expect(output).not.toContain(Buffer.from(key.key).toString('base64url'));
  });

  it('rotates the single secret the stack generated into a key set that keeps it', async () => {
    const generated = 'Q7r0'.repeat(16); // 64 alphanumerics, as GenerateSecretString makes them
    const arn = createSecret(generated);
    const legacy = parseKeySet(generated, 'test');
    await rotateFully(arn);
    const after = current(arn);
    expect(after.keys[0]).toEqual(legacy.keys[0]);
    expect(after.current).not.toBe(legacy.current);
  });

  it('passes testSecret alone on an empty pending version, as Secrets Manager runs it to test a new rotation configuration', async () => {
    const arn = createSecret();
    const before = engine.valueAt(arn);
    const token = await startRotation(arn);
    await step(arn, token, 'testSecret');
    expect(engine.valueAt(arn)).toBe(before);
    expect(engine.valueAt(arn, 'AWSPENDING')).toBeUndefined();
  });

  it('gives the same result when every step is repeated (Secrets Manager retries steps with the same token)', async () => {
    const arn = createSecret();
    const token = await startRotation(arn);
    await step(arn, token, 'createSecret');
    const pending = engine.valueAt(arn, 'AWSPENDING');
    await step(arn, token, 'createSecret');
    expect(engine.valueAt(arn, 'AWSPENDING')).toBe(pending);
    for (const name of ['setSecret', 'setSecret', 'testSecret', 'testSecret']) await step(arn, token, name);
    const first = await step(arn, token, 'finishSecret');
    const again = await step(arn, token, 'finishSecret');
    expect(engine.valueAt(arn)).toBe(pending);
    expect(auditLines(first)).toHaveLength(1);
    expect(auditLines(again)).toHaveLength(0);
    // A retried earlier step after the end changes nothing either.
    await step(arn, token, 'createSecret');
    expect(engine.valueAt(arn)).toBe(pending);
  });

  it('finishes when the answer to its stage move was lost (the SDK\'s retry of the move is refused)', async () => {
    const arn = createSecret();
    const token = await startRotation(arn);
    for (const name of STEPS.slice(0, 3)) await step(arn, token, name);
    engine.inject('UpdateSecretVersionStage', { kind: 'lose-response' });
    const output = await step(arn, token, 'finishSecret');
    expect(engine.stages(arn)[token]).toContain('AWSCURRENT');
    expect(auditLines(output)).toHaveLength(1);
  });

  it('writes the pending set once when the answer to that write was lost (PutSecretValue is idempotent per token)', async () => {
    const arn = createSecret();
    const token = await startRotation(arn);
    engine.inject('PutSecretValue', { kind: 'lose-response' });
    await step(arn, token, 'createSecret');
    for (const name of STEPS.slice(1)) await step(arn, token, name);
    expect(engine.stages(arn)[token]).toContain('AWSCURRENT');
  });

  it.each([
    ['a secret on which rotation is not enabled', async (arn: string) => { void arn; return randomUUID(); }, /rotation is not enabled/],
    ['a token that is no version of the secret', async (arn: string) => { await startRotation(arn); return randomUUID(); }, /has no stage for rotation/],
  ])('refuses %s', async (_name, token, message) => {
    const arn = createSecret();
    const versionToken = await token(arn);
    for (const name of STEPS) {
      await expect(captureOutput(() => rotate({ SecretId: arn, ClientRequestToken: versionToken, Step: name }))).rejects.toThrow(message);
    }
  });

  it('refuses a token that is not AWSPENDING, and an unknown step', async () => {
    const arn = createSecret();
    const first = await startRotation(arn);
    for (const name of STEPS) await step(arn, first, name);
    await rotateFully(arn);
    // `first` is AWSPREVIOUS now.
    await expect(captureOutput(() => rotate({ SecretId: arn, ClientRequestToken: first, Step: 'createSecret' }))).rejects.toThrow(/is not AWSPENDING/);
    const token = await startRotation(arn);
    await expect(captureOutput(() => rotate({ SecretId: arn, ClientRequestToken: token, Step: 'dropSecret' }))).rejects.toThrow(/unknown rotation step/);
  });
});

/** A container: the production App on a table, reading its key set through JWT_SECRET_ARN. */
async function container(arn: string, tableName: string, containerClock: ManualClock = clock) {
  const config = loadConfig({ DYNAMODB_ENDPOINT: engineEndpoint(), TABLE_NAME: tableName, JWT_SECRET_ARN: arn, AWS_REGION: 'us-east-1', CLAIM_MODE: 'open' });
  const app = createApp(config, { clock: containerClock, logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'SILENT' }) });
  return handlersFor(app);
}
type Container = Awaited<ReturnType<typeof container>>;

const signIn = (c: Container) => call(c.createAdminJwt, 'http-api', { path: PATHS.adminJwt, body: { email: ADMIN.email, password: ADMIN.password } });
const upsert = (c: Container, jwt: string) => call(c.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: randomUUID() } });
const jwtOf = (answer: Answer): string => {
  if (answer.statusCode !== 200) throw new Error(`expected a JWT, got ${answer.statusCode} ${answer.raw}`);
  return answer.body.data.accessToken as string;
};
const kidOf = (jwt: string) => jwtHeader(jwt).kid;
const reads = () => engine.calls.filter((c) => c.operation === 'GetSecretValue').length;

describe('the functions read the key set through JWT_SECRET_ARN', () => {
  let arn: string;
  let tableName: string;
  let a: Container;
  let jwtA: string;

  beforeAll(async () => {
    arn = createSecret();
    tableName = `test-${randomUUID()}`;
    await ensureTable(engineEndpoint(), tableName);
    a = await container(arn, tableName);
    const created = await call(a.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN });
    jwtA = jwtOf(created);
  });

  it('signs with the current key of the secret, and verifies its JWTs', async () => {
    expect(kidOf(jwtA)).toBe(current(arn).current);
    expect((await upsert(a, jwtA)).statusCode).toBe(200);
  });

  it('answers 500 while the secret cannot be read at a cold start, and works at the next request', async () => {
    const cold = await container(arn, tableName);
    engine.inject('GetSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
    const failed = await upsert(cold, jwtA);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'INTERNAL_SERVER_ERROR' } });
    expect((await upsert(cold, jwtA)).statusCode).toBe(200);
  });

  it('after a rotation: old containers keep signing with the old key until their set is 5 minutes old, and every container accepts both', async () => {
    const old = current(arn);
    await rotateFully(arn);
    const fresh = await container(arn, tableName);
    const jwtNew = jwtOf(await signIn(fresh));
    expect(kidOf(jwtNew)).toBe(old.keys[1]!.kid);
    // `a` still holds the old set, which already published the new key: no read is needed.
    const before = reads();
    expect(kidOf(jwtOf(await signIn(a)))).toBe(old.current);
    expect((await upsert(a, jwtNew)).statusCode).toBe(200);
    expect((await upsert(fresh, jwtA)).statusCode).toBe(200);
    expect(reads()).toBe(before);
    clock.advance(5 * 60_000);
    expect(kidOf(jwtOf(await signIn(a)))).toBe(old.keys[1]!.kid);
  });

  it('after two quick rotations: a container holding the oldest set reads the secret again at once for the unknown kid', async () => {
    const stale = await container(arn, tableName);
    jwtOf(await signIn(stale));
    await rotateFully(arn);
    await rotateFully(arn);
    const fresh = await container(arn, tableName);
    const jwtNewest = jwtOf(await signIn(fresh));
    expect(kidOf(jwtNewest)).toBe(current(arn).current);
    const before = reads();
    expect((await upsert(stale, jwtNewest)).statusCode).toBe(200);
    expect(reads()).toBe(before + 1);
  });

  it('reads at most once per 10 s for kids it does not know, then answers 401', async () => {
    const c = await container(arn, tableName);
    const good = jwtOf(await signIn(c));
    const [head, payload, signature] = good.split('.') as [string, string, string];
    const withKid = (kid: string) => `${Buffer.from(JSON.stringify({ ...jwtHeader(good), kid })).toString('base64url')}.${payload}.${signature}`;
    const before = reads();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => upsert(c, withKid(`made-up-${i}`))));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(401));
    expect(reads()).toBe(before + 1);
    clock.advance(10_000);
    expect((await upsert(c, withKid('made-up'))).statusCode).toBe(401);
    expect(reads()).toBe(before + 2);
    expect((await upsert(c, `${head}.${payload}.${signature}`)).statusCode).toBe(200);
  });

  it.each(['createSecret', 'testSecret', 'finishSecret'] as const)(
    'a rotation failing at %s leaves the old key current: JWTs are signed and verified as before',
    async (failing) => {
      // A secret of its own: a rotation left unfinished blocks the next one on its secret.
      const arn = createSecret();
      const c = await container(arn, tableName);
      const before = engine.valueAt(arn)!;
      const signed = jwtOf(await signIn(c));
      const token = await startRotation(arn);
      if (failing === 'createSecret') {
        engine.inject('PutSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
      } else if (failing === 'testSecret') {
        // A pending set that lost the current signing key would invalidate every JWT issued now.
        const wrong = serializeKeySet(newKeySet(new Date()));
        await client.send(new PutSecretValueCommand({
          SecretId: arn, ClientRequestToken: token, SecretString: wrong, VersionStages: ['AWSPENDING'],
        }));
      } else {
        engine.inject('UpdateSecretVersionStage', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
      }
      let failed = false;
      for (const name of STEPS) {
        try {
          await step(arn, token, name);
        } catch {
          failed = true;
          expect(name).toBe(failing);
          break;
        }
      }
      expect(failed).toBe(true);
      expect(engine.valueAt(arn)).toBe(before);
      clock.advance(5 * 60_000);
      const cold = await container(arn, tableName);
      expect(kidOf(jwtOf(await signIn(cold)))).toBe(parseKeySet(before, 'test').current);
      expect((await upsert(cold, signed)).statusCode).toBe(200);
      expect((await upsert(c, signed)).statusCode).toBe(200);

      // A pending value that fails its test stays pending: Secrets Manager retries the same token, and
      // the rotation stays blocked until someone removes the label (docs/security.md).
      if (failing === 'testSecret') return;
      for (const name of STEPS.slice(STEPS.indexOf(failing))) await step(arn, token, name);
      expect(engine.stages(arn)[token]).toContain('AWSCURRENT');
      expect((await upsert(cold, signed)).statusCode).toBe(200);
    },
  );
});

describe('a rotation under load', () => {
  it('while 4 clients sign in and create service tokens through 4 containers, two rotations fail no request', async () => {
    const arn = createSecret();
    const tableName = `test-${randomUUID()}`;
    await ensureTable(engineEndpoint(), tableName);
    // Simulated time runs at 200× (5 s every 25 ms), so that the containers' 5-minute key-set age
    // passes during the test; each container has its own cache.
    const loadClock = new ManualClock();
    const ticker = setInterval(() => loadClock.advance(5_000), 25);
    try {
      const containers = await Promise.all(Array.from({ length: 4 }, () => container(arn, tableName, loadClock)));
      jwtOf(await call(containers[0]!.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN }));

      const failures: string[] = [];
      const kids = new Set<unknown>();
      let iterations = 0;
      let stop = false;
      const client = async (n: number) => {
        let earlier: string | undefined;
        for (let i = 0; !stop; i++) {
          const signedIn = await signIn(containers[(n + i) % 4]!);
          if (signedIn.statusCode !== 200) {
            failures.push(`sign-in: ${signedIn.statusCode} ${signedIn.raw}`);
            continue;
          }
          const jwt = jwtOf(signedIn);
          kids.add(kidOf(jwt));
          // The fresh JWT on another container, and the previous one on a third.
          for (const [token, at] of [[jwt, n + i + 1], [earlier ?? jwt, n + i + 2]] as const) {
            const answer = await upsert(containers[at % 4]!, token);
            if (answer.statusCode !== 200) failures.push(`upsert with kid ${String(kidOf(token))}: ${answer.statusCode} ${answer.raw}`);
          }
          earlier = jwt;
          iterations++;
        }
      };
      const until = async (condition: () => boolean) => {
        while (!condition()) await new Promise((done) => setTimeout(done, 20));
      };
      const clients = [0, 1, 2, 3].map(client);

      await until(() => iterations >= 8);
      await rotateFully(arn);
      const firstAt = loadClock.now();
      // A cold start after the rotation signs with the new key while the others still hold the old set.
      containers[3] = await container(arn, tableName, loadClock);
      await until(() => iterations >= 16 && loadClock.now() >= firstAt + 6 * 60_000);
      await rotateFully(arn);
      const secondAt = loadClock.now();
      containers[2] = await container(arn, tableName, loadClock);
      const second = iterations;
      // Past every container's key-set age, so each of them signs with the second rotation's key,
      // whichever containers the clients happen to reach.
      await until(() => iterations >= second + 8 && loadClock.now() >= secondAt + 6 * 60_000);
      const refreshed = iterations;
      await until(() => iterations >= refreshed + 4);
      stop = true;
      await Promise.all(clients);

      expect(failures).toEqual([]);
      // JWTs were signed with the first key, and with each rotation's new one.
      expect(kids.size).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(ticker);
    }
  }, 120_000);
});
