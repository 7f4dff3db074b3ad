// The JWT_SECRET_ARN read path (readSecretString and the key-set source built on it) against the
// Secrets Manager test engine. The production client takes no endpoint setting: the SDK itself
// honours AWS_ENDPOINT_URL_SECRETS_MANAGER (@smithy/core builds the variable's name from the
// client's serviceId, "Secrets Manager"), so the test sets that and leaves lib/ as it ships.
import { InternalServiceError, PutSecretValueCommand, ResourceNotFoundException, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { keySetSource, legacyKid } from '../../lib/admin/signing-key.ts';
import { readSecretString } from '../../lib/aws/secrets-manager.ts';
import { AWSCURRENT, AWSPENDING, pointSdkAt, secretsManagerClient, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';

const KEY_1 = Buffer.alloc(32, 1).toString('base64url');
const KEY_2 = Buffer.alloc(32, 2).toString('base64url');

let engine: SecretsManagerEngine;
let restoreEnvironment: () => void;

beforeAll(async () => {
  engine = await startSecretsManager();
  restoreEnvironment = pointSdkAt(engine);
});
afterAll(async () => {
  restoreEnvironment();
  await engine.stop();
});
beforeEach(() => engine.reset());

const getSecretValueCalls = () => engine.calls.filter((call) => call.operation === 'GetSecretValue');

describe('readSecretString: the signing secret by ARN', () => {
  it('reads the AWSCURRENT value by ARN, asking for no other version or stage', async () => {
    const { arn } = engine.create('jwt-secret', KEY_1);
    expect(await readSecretString(arn, 'us-east-1')).toBe(KEY_1);
    expect(getSecretValueCalls()).toEqual([{ operation: 'GetSecretValue', input: { SecretId: arn } }]);
  });

  it('follows AWSCURRENT through a rotation: a pending value is not read, the finished one is', async () => {
    const { arn, versionId } = engine.create('jwt-secret', KEY_1);
    const sm = secretsManagerClient(engine);
    try {
      const pending = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: KEY_2, VersionStages: [AWSPENDING] }));
      expect(await readSecretString(arn, 'us-east-1')).toBe(KEY_1);
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: AWSCURRENT, MoveToVersionId: pending.VersionId, RemoveFromVersionId: versionId }));
      expect(await readSecretString(arn, 'us-east-1')).toBe(KEY_2);
    } finally {
      sm.destroy();
    }
  });

  it('refuses a secret that holds only binary', async () => {
    const sm = secretsManagerClient(engine);
    try {
      const { arn } = engine.create('binary-secret');
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretBinary: new Uint8Array(32) }));
      await expect(readSecretString(arn, 'us-east-1')).rejects.toThrow('JWT_SECRET_ARN names a secret without a string value');
    } finally {
      sm.destroy();
    }
  });

  it('surfaces a missing secret as ResourceNotFoundException', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf';
    await expect(readSecretString(arn, 'us-east-1')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rides out two server errors within its bounded retries, and fails on the third', async () => {
    const { arn } = engine.create('jwt-secret', KEY_1);
    engine.inject('GetSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 2 });
    expect(await readSecretString(arn, 'us-east-1')).toBe(KEY_1);
    expect(getSecretValueCalls().map((call) => call.error ?? 'ok')).toEqual(['InternalServiceError', 'InternalServiceError', 'ok']);

    engine.clearCalls();
    engine.inject('GetSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
    await expect(readSecretString(arn, 'us-east-1')).rejects.toBeInstanceOf(InternalServiceError);
    expect(getSecretValueCalls()).toHaveLength(3);
  });
});

describe('the key-set source with JWT_SECRET_ARN', () => {
  const config = (secretArn: string) => ({
    region: 'us-east-1',
    jwt: { secretArn, secretFile: undefined, issuer: 'i', audience: 'a', ttlSeconds: 3600, keySetMaxAgeSeconds: 300 },
  });

  it('reads the secret at each call (the container\'s cache decides when) and decodes a single secret as one key', async () => {
    const { arn } = engine.create('jwt-secret', KEY_1);
    const read = keySetSource(config(arn));
    const key = Buffer.alloc(32, 1);
    expect(await read()).toEqual({ current: legacyKid(new Uint8Array(key)), keys: [{ kid: legacyKid(new Uint8Array(key)), key: new Uint8Array(key) }] });
    await read();
    expect(getSecretValueCalls()).toHaveLength(2);
  });

  it('surfaces a failed read to the caller', async () => {
    const { arn } = engine.create('jwt-secret', KEY_1);
    engine.inject('GetSecretValue', { kind: 'error', type: 'InternalServiceError' }, { times: 3 });
    const read = keySetSource(config(arn));
    await expect(read()).rejects.toBeInstanceOf(InternalServiceError);
    expect((await read()).keys).toHaveLength(1);
  });

  it('refuses a secret shorter than 256 bits', async () => {
    const { arn } = engine.create('short-secret', Buffer.alloc(16).toString('base64url'));
    await expect(keySetSource(config(arn))()).rejects.toThrow('JWT signing secret from JWT_SECRET_ARN must hold at least 32 bytes');
  });
});
