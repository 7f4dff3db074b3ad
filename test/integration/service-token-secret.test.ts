// The published, self-rotating service token (docs/token-management.md, "The published service token"):
// the rotation function's four steps against the Secrets Manager engine of test/support and a real
// table, retried and failing steps, and the API refusing to change the token behind the secret's back.
import { randomUUID } from 'node:crypto';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { RotateSecretCommand, UpdateSecretVersionStageCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHandler as rotationHandler } from '../../handlers/rotateServiceTokenSecret.ts';
import { createTokenRuntime } from '../../lib/wiring/token-runtime.lean.ts';
import { UNPUBLISHED } from '../../lib/service-token/published-rotation.ts';
import { conditionalWriteTo, startDynamoDbProxy, type DynamoDbProxy } from '../support/ddb-proxy.ts';
import {
  ManualClock,
  PATHS,
  TOKEN_ID,
  V4_UUID,
  bearer,
  call,
  createHarness,
  expectError,
  sha256Base64url,
  signUp,
  type Harness,
} from '../support/harness.ts';
import { DENY, LIFECYCLE_PATHS, SECOND, authorizeToken, createToken, idOf, iso, rotate, tokenSet } from '../support/lifecycle.ts';
import { captureOutput } from '../support/proof.ts';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, pointSdkAt, secretsManagerClient, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = (typeof STEPS)[number];
const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:databrain-admin-api-test-rotateServiceTokenSecret';
const GRACE_SECONDS = 24 * 3600;
const REVOKE = '/api/v2/service-token/revoke';

let engine: SecretsManagerEngine;
let client: SecretsManagerClient;
let proxy: DynamoDbProxy;
let restoreEnvironment: () => void;

beforeAll(async () => {
  engine = await startSecretsManager();
  client = secretsManagerClient(engine);
  proxy = await startDynamoDbProxy();
  restoreEnvironment = pointSdkAt(engine);
});

afterEach(async () => {
  engine.clearFaults();
  await proxy.set({ kind: 'pass' });
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await engine.stop();
  restoreEnvironment();
});

/**
 * A company (signed up unless `account` is false), the stack's secret as CloudFormation creates it
 * (holding UNPUBLISHED), and the rotation function on the same table, through the fault proxy.
 */
interface World {
  readonly harness: Harness;
  readonly clock: ManualClock;
  readonly arn: string;
  jwt: string;
  step(token: string, name: Step): Promise<string>;
}

async function world({ account = true, env = {} }: { account?: boolean; env?: Record<string, string> } = {}): Promise<World> {
  const clock = new ManualClock();
  const harness = await createHarness({ clock, env });
  const jwt = account ? await signUp(harness) : '';
  const arn = engine.create(`service-token-${randomUUID()}`, UNPUBLISHED).arn;
  const runtime = createTokenRuntime(
    { ...harness.config, dynamodbEndpoint: proxy.endpoint },
    { clock, logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel: 'INFO' }) },
  );
  const rotate = rotationHandler(runtime, GRACE_SECONDS);
  return {
    harness,
    clock,
    arn,
    jwt,
    async step(token, name) {
      return (await captureOutput(() => rotate({ SecretId: arn, ClientRequestToken: token, Step: name }))).output;
    },
  };
}

/** What Secrets Manager does when a rotation starts: a new version labelled AWSPENDING, without a value. */
async function startRotation(w: World): Promise<string> {
  const token = randomUUID();
  await client.send(new RotateSecretCommand({
    SecretId: w.arn, ClientRequestToken: token, RotationLambdaARN: ROTATION_LAMBDA, RotationRules: { AutomaticallyAfterDays: 30 },
  }));
  return token;
}

async function steps(w: World, token: string, names: readonly Step[]): Promise<string> {
  let output = '';
  for (const name of names) output += await w.step(token, name);
  return output;
}

/** A whole rotation; the published token. */
async function rotateFully(w: World): Promise<string> {
  await steps(w, await startRotation(w), STEPS);
  return engine.valueAt(w.arn)!;
}

/** A step that must fail: its error, as Secrets Manager would record it. */
async function failingStep(w: World, token: string, name: Step): Promise<Error> {
  const failure = await captureOutput(() => w.step(token, name).then(() => undefined, (error: unknown) => error as Error));
  if (!(failure.result instanceof Error)) throw new Error(`${name} did not fail`);
  return failure.result;
}

const auditLines = (output: string) => output.split('\n').filter((line) => line.includes('"audit"')).map((line) => JSON.parse(line));
const published = (w: World) => engine.valueAt(w.arn);
const isAllowed = async (w: World, token: string) => (await authorizeToken(w.harness, token)).isAuthorized;

describe('the rotation function, step by step', () => {
  it('publishes the first token: createSecret writes it pending, setSecret makes it current, testSecret checks it, finishSecret publishes it', async () => {
    const w = await world();
    const token = await startRotation(w);
    const connections = engine.connections;

    const created = await w.step(token, 'createSecret');
    const pending = engine.valueAt(w.arn, AWSPENDING)!;
    expect(pending).toMatch(V4_UUID);
    expect(published(w)).toBe(UNPUBLISHED);
    expect(await tokenSet(w.harness)).toBeUndefined();
    expect(created).not.toContain(pending);

    const set = await w.step(token, 'setSecret');
    const stored = await tokenSet(w.harness);
    expect(stored?.current).toEqual({ id: expect.stringMatching(TOKEN_ID), digest: sha256Base64url(pending), createdAt: w.clock.now() });
    expect(stored?.retired).toEqual([]);
    expect(published(w)).toBe(UNPUBLISHED);
    const id = (stored?.current as { id: string }).id;
    expect(auditLines(set)).toEqual([expect.objectContaining({
      level: 'INFO', audit: 'service_token.rotated', outcome: 'success', actor: 'system', companyId: stored?.companyId,
      tokenIds: [id], graceSeconds: GRACE_SECONDS, source: 'direct', time: iso(w.clock.now()),
    })]);

    const before = await w.harness.items();
    await w.step(token, 'testSecret');
    // Testing is not a consumer's use: no lastUsedAt, nothing written.
    expect(await w.harness.items()).toStrictEqual(before);
    expect(published(w)).toBe(UNPUBLISHED);

    const finished = await w.step(token, 'finishSecret');
    expect(published(w)).toBe(pending);
    expect(engine.stages(w.arn)[token]).toEqual(expect.arrayContaining([AWSCURRENT]));
    expect(await isAllowed(w, pending)).toBe(true);
    for (const output of [created, set, finished]) expect(output).not.toContain(pending);
    // The steps share the container's one Secrets Manager client, and its connection.
    expect(engine.connections - connections).toBe(1);
  });

  it('rotates: the new token current, the published one in grace for the grace period until AWSCURRENT has moved and after', async () => {
    const w = await world();
    const first = await rotateFully(w);
    const firstId = await idOf(w.harness, first);
    w.clock.advance(3600 * SECOND);

    const token = await startRotation(w);
    const output = await steps(w, token, ['createSecret', 'setSecret']);
    const next = engine.valueAt(w.arn, AWSPENDING)!;
    // Between setSecret and finishSecret consumers still read the old token, which still works.
    expect(published(w)).toBe(first);
    expect(await isAllowed(w, first)).toBe(true);
    expect(await isAllowed(w, next)).toBe(true);
    const stored = await tokenSet(w.harness);
    expect((stored?.current as { digest: string }).digest).toBe(sha256Base64url(next));
    expect(stored?.retired).toEqual([expect.objectContaining({ id: firstId, digest: sha256Base64url(first), expiresAt: w.clock.now() + GRACE_SECONDS * SECOND })]);
    expect(auditLines(output)).toEqual([expect.objectContaining({ actor: 'system', tokenIds: [await idOf(w.harness, next), firstId] })]);

    await steps(w, token, ['testSecret', 'finishSecret']);
    expect(published(w)).toBe(next);
    expect(engine.valueAt(w.arn, AWSPREVIOUS)).toBe(first);
    w.clock.advance(GRACE_SECONDS * SECOND - SECOND);
    expect(await isAllowed(w, first)).toBe(true);
    w.clock.advance(SECOND);
    expect(await authorizeToken(w.harness, first)).toEqual(DENY);
    expect(await isAllowed(w, next)).toBe(true);
  });

  it('puts a token created through the API before the stage published it in grace, like a rotation with expireAt', async () => {
    const w = await world();
    const own = await createToken(w.harness, w.jwt);
    const ownId = await idOf(w.harness, own);
    const next = await rotateFully(w);
    expect(await isAllowed(w, own)).toBe(true);
    expect(await isAllowed(w, next)).toBe(true);
    expect((await tokenSet(w.harness))?.retired).toEqual([expect.objectContaining({ id: ownId, expiresAt: w.clock.now() + GRACE_SECONDS * SECOND })]);
  });

  it('gives the same result when every step is repeated (Secrets Manager retries steps with the same token)', async () => {
    const w = await world();
    const first = await rotateFully(w);
    const token = await startRotation(w);
    await w.step(token, 'createSecret');
    const pending = engine.valueAt(w.arn, AWSPENDING);
    await w.step(token, 'createSecret');
    expect(engine.valueAt(w.arn, AWSPENDING)).toBe(pending);

    const set = await w.step(token, 'setSecret');
    const after = await w.harness.items();
    const again = await w.step(token, 'setSecret');
    // The retry recognises its token as current: same id, same grace, same revision, no audit line.
    expect(await w.harness.items()).toStrictEqual(after);
    expect(auditLines(set)).toHaveLength(1);
    expect(auditLines(again)).toHaveLength(0);

    for (const name of ['testSecret', 'testSecret', 'finishSecret', 'finishSecret'] as const) await w.step(token, name);
    expect(published(w)).toBe(pending);
    expect(await w.harness.items()).toStrictEqual(after);
    // A retried earlier step after the end changes nothing either.
    for (const name of STEPS) await w.step(token, name);
    expect(published(w)).toBe(pending);
    expect(await w.harness.items()).toStrictEqual(after);
    expect(await isAllowed(w, first)).toBe(true);
  });

  it('tests nothing when the pending version has no token yet (RotateSecret\'s configuration test)', async () => {
    const w = await world();
    const token = await startRotation(w);
    const before = await w.harness.items();
    await w.step(token, 'testSecret');
    expect(await w.harness.items()).toStrictEqual(before);
    expect(published(w)).toBe(UNPUBLISHED);
  });

  it('refuses a secret without rotation enabled, a token that is no version of it, and a version that is not AWSPENDING', async () => {
    const w = await world();
    const token = await startRotation(w);
    await expect(w.step(randomUUID(), 'createSecret')).rejects.toThrow(/has no stage for rotation/);
    const bare = engine.create(`bare-${randomUUID()}`, UNPUBLISHED);
    const rotate = rotationHandler(createTokenRuntime(w.harness.config, { logger: new RequestLogger({ logLevel: 'SILENT' }) }), GRACE_SECONDS);
    await expect(rotate({ SecretId: bare.arn, ClientRequestToken: bare.versionId!, Step: 'createSecret' })).rejects.toThrow(/rotation is not enabled/);
    await steps(w, token, STEPS);
    const previous = Object.entries(engine.stages(w.arn)).find(([, stages]) => stages.includes(AWSPREVIOUS))![0];
    await expect(w.step(previous, 'setSecret')).rejects.toThrow(/is not AWSPENDING/);
  });
});

describe('a failing step leaves the published token current or in grace, and working; the rotation then converges', () => {
  /** A company with a published token, and a rotation started; the published token. */
  async function rotating(): Promise<{ w: World; old: string; token: string }> {
    const w = await world();
    const old = await rotateFully(w);
    return { w, old, token: await startRotation(w) };
  }

  /** The rest of the rotation, from `from` on; then the new token is published and both work. */
  async function converges(w: World, old: string, token: string, from: Step): Promise<void> {
    await steps(w, token, STEPS.slice(STEPS.indexOf(from)));
    const next = published(w)!;
    expect(next).not.toBe(old);
    expect(engine.stages(w.arn)[token]).toEqual(expect.arrayContaining([AWSCURRENT]));
    expect((await tokenSet(w.harness))?.current).toEqual(expect.objectContaining({ digest: sha256Base64url(next) }));
    expect(await isAllowed(w, next)).toBe(true);
    expect(await isAllowed(w, old)).toBe(true);
  }

  it('createSecret: Secrets Manager refuses the pending write', async () => {
    const { w, old, token } = await rotating();
    const before = await w.harness.items();
    engine.inject('PutSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
    await failingStep(w, token, 'createSecret');
    expect(engine.valueAt(w.arn, AWSPENDING)).toBeUndefined();
    expect(published(w)).toBe(old);
    expect(await w.harness.items()).toStrictEqual(before);
    expect(await isAllowed(w, old)).toBe(true);
    await converges(w, old, token, 'createSecret');
  });

  it('createSecret: the answer to the pending write is lost (PutSecretValue is idempotent per token)', async () => {
    const { w, old, token } = await rotating();
    engine.inject('PutSecretValue', { kind: 'lose-response' });
    await w.step(token, 'createSecret');
    expect(engine.valueAt(w.arn, AWSPENDING)).toMatch(V4_UUID);
    await converges(w, old, token, 'setSecret');
  });

  it('setSecret: the table refuses the write (throttled on every attempt)', async () => {
    const { w, old, token } = await rotating();
    await w.step(token, 'createSecret');
    const before = await w.harness.items();
    await proxy.set({ kind: 'error', type: 'ThrottlingException' }, conditionalWriteTo('ACCOUNT'));
    await failingStep(w, token, 'setSecret');
    await proxy.set({ kind: 'pass' });
    expect(await w.harness.items()).toStrictEqual(before);
    expect(published(w)).toBe(old);
    expect((await tokenSet(w.harness))?.current).toEqual(expect.objectContaining({ digest: sha256Base64url(old) }));
    await converges(w, old, token, 'setSecret');
  });

  it('setSecret: the answer to the table write is lost (the SDK\'s retry finds its own token current)', async () => {
    const { w, old, token } = await rotating();
    await w.step(token, 'createSecret');
    await proxy.set({ kind: 'lose-response-once', how: '500' }, conditionalWriteTo('ACCOUNT'));
    const output = await w.step(token, 'setSecret');
    expect(proxy.stats.lost).toHaveLength(1);
    expect(auditLines(output)).toHaveLength(1);
    await converges(w, old, token, 'testSecret');
  });

  it('setSecret: there is no admin account yet; after sign-up the same rotation publishes the first token', async () => {
    const w = await world({ account: false });
    const token = await startRotation(w);
    await w.step(token, 'createSecret');
    expect((await failingStep(w, token, 'setSecret')).message).toBe('there is no admin account yet: create it, then rotate the secret');
    expect(published(w)).toBe(UNPUBLISHED);
    await signUp(w.harness);
    await steps(w, token, ['setSecret', 'testSecret', 'finishSecret']);
    expect(await isAllowed(w, published(w)!)).toBe(true);
  });

  it('testSecret: the table cannot be read', async () => {
    const { w, old, token } = await rotating();
    await steps(w, token, ['createSecret', 'setSecret']);
    await proxy.set({ kind: 'reset' }, (call) => call.operation === 'GetItem');
    await failingStep(w, token, 'testSecret');
    await proxy.set({ kind: 'pass' });
    // The old token is in grace, still published, and works.
    expect(published(w)).toBe(old);
    expect(await isAllowed(w, old)).toBe(true);
    await converges(w, old, token, 'testSecret');
  });

  it('finishSecret: Secrets Manager refuses the stage move', async () => {
    const { w, old, token } = await rotating();
    await steps(w, token, ['createSecret', 'setSecret', 'testSecret']);
    engine.inject('UpdateSecretVersionStage', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
    await failingStep(w, token, 'finishSecret');
    expect(published(w)).toBe(old);
    expect(await isAllowed(w, old)).toBe(true);
    await converges(w, old, token, 'finishSecret');
  });

  it('finishSecret: the answer to the stage move is lost (the SDK\'s retry is refused; the step looks)', async () => {
    const { w, old, token } = await rotating();
    await steps(w, token, ['createSecret', 'setSecret', 'testSecret']);
    engine.inject('UpdateSecretVersionStage', { kind: 'lose-response' });
    await w.step(token, 'finishSecret');
    expect(engine.stages(w.arn)[token]).toEqual(expect.arrayContaining([AWSCURRENT]));
    await converges(w, old, token, 'finishSecret');
  });

  it('finishSecret: refuses to publish a token that no longer authenticates (revoked after setSecret)', async () => {
    const { w, old, token } = await rotating();
    await steps(w, token, ['createSecret', 'setSecret', 'testSecret']);
    const pending = engine.valueAt(w.arn, AWSPENDING)!;
    // The stage is unmanaged in this harness, so nothing refuses the revocation of the current token.
    const revoked = await call(w.harness.handlers.revokeServiceToken, 'http-api', {
      path: REVOKE, headers: bearer(w.jwt), body: { id: await idOf(w.harness, pending) },
    });
    expect(revoked.statusCode).toBe(200);
    expect((await failingStep(w, token, 'finishSecret')).message).toBe('the pending token does not authenticate');
    expect(published(w)).toBe(old);
    expect(await isAllowed(w, old)).toBe(true);
  });

  it('a rotation abandoned after setSecret: once its AWSPENDING label is removed, a new rotation publishes a token and the old one stays in grace', async () => {
    const { w, old, token } = await rotating();
    await steps(w, token, ['createSecret', 'setSecret']);
    const abandoned = engine.valueAt(w.arn, AWSPENDING)!;
    w.clock.advance(3600 * SECOND);
    // What an operator does to start over (docs/token-management.md): Secrets Manager refuses a new rotation
    // while AWSPENDING sits on another version than AWSCURRENT.
    await expect(startRotation(w)).rejects.toThrow(/previous rotation isn't complete/);
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: w.arn, VersionStage: AWSPENDING, RemoveFromVersionId: token }));
    const next = await rotateFully(w);
    expect(next).not.toBe(abandoned);
    expect(await isAllowed(w, next)).toBe(true);
    // The old published token keeps the grace it got at the first setSecret (an hour ago).
    const oldId = await idOf(w.harness, old);
    const retired = (await tokenSet(w.harness))?.retired as { id: string; expiresAt: number }[];
    expect(retired.find((t) => t.id === oldId)?.expiresAt).toBe(w.clock.now() - 3600 * SECOND + GRACE_SECONDS * SECOND);
    expect(await isAllowed(w, old)).toBe(true);
  });
});

describe('the API while the stage publishes the token', () => {
  async function managed(): Promise<{ w: World; token: string }> {
    const w = await world({ env: { SERVICE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:st-AbCdEf' } });
    return { w, token: await rotateFully(w) };
  }
  const MANAGED = 'The service token is published in Secrets Manager and rotated there: rotate the secret instead';

  it('refuses a create and both forms of rotation with 409 SERVICE_TOKEN_MANAGED, writing nothing', async () => {
    const { w, token } = await managed();
    const before = await w.harness.items();
    const create = await call(w.harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(w.jwt), body: { token: randomUUID() } });
    expectError(create, 409, 'SERVICE_TOKEN_MANAGED', MANAGED);
    expectError(await rotate(w.harness, 'a', w.jwt, token, 60), 409, 'SERVICE_TOKEN_MANAGED', MANAGED);
    expect(await w.harness.items()).toStrictEqual(before);
    expectError(await rotate(w.harness, 'b', w.jwt, token, 60, 'direct'), 409, 'SERVICE_TOKEN_MANAGED', MANAGED);
    expect(published(w)).toBe(token);
    expect(await isAllowed(w, token)).toBe(true);
  });

  it('still authenticates and validates first', async () => {
    const { w } = await managed();
    expectError(await call(w.harness.handlers.createServiceToken, 'http-api', { path: PATHS.serviceToken, body: { token: randomUUID() } }),
      401, 'AUTHENTICATION_ERROR', 'Invalid or missing credentials');
    const invalid = await call(w.harness.handlers.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, headers: bearer(w.jwt), body: {} });
    expect(invalid.body.error.code).toBe('INVALID_REQUEST_BODY');
  });

  it('refuses to revoke the published token, and revokes tokens in grace (both forms)', async () => {
    const { w, token: first } = await managed();
    const next = await rotateFully(w);
    const revokeId = (id: string | undefined) => call(w.harness.handlers.revokeServiceToken, 'http-api', { path: REVOKE, headers: bearer(w.jwt), body: { id } });
    expectError(await revokeId(await idOf(w.harness, next)), 409, 'SERVICE_TOKEN_MANAGED',
      'The current service token is published in Secrets Manager: rotate the secret, then revoke this token');
    expect(await isAllowed(w, next)).toBe(true);
    const firstId = await idOf(w.harness, first);
    const revoked = await revokeId(firstId);
    expect({ status: revoked.statusCode, body: revoked.body }).toEqual({ status: 200, body: { data: { revoked: [firstId] } } });
    expect(await authorizeToken(w.harness, first)).toEqual(DENY);

    const third = await rotateFully(w);
    const graceOnly = await call(w.harness.handlers.revokeServiceToken, 'http-api', { path: REVOKE, headers: bearer(third), body: {} });
    expect(graceOnly.body).toEqual({ data: { revoked: [await idOf(w.harness, next)] } });
    expect(await isAllowed(w, third)).toBe(true);
  });
});
