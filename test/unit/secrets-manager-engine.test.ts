// The Secrets Manager test engine (test/support/secrets-manager.ts), driven over HTTP by the real
// SDK client: every operation, every version-stage rule and error of AWS's API reference that the
// rotation functions rely on, and the fault injection later suites use.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  type GetRandomPasswordCommandInput,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, secretsManagerClient, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:rotate';
const token = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let engine: SecretsManagerEngine;
/** One attempt per call: every error the engine answers reaches the test. */
let sm: SecretsManagerClient;

beforeAll(async () => {
  engine = await startSecretsManager();
  sm = secretsManagerClient(engine, { maxAttempts: 1 });
});
afterAll(async () => {
  sm.destroy();
  await engine.stop();
});
beforeEach(() => engine.reset());

/** A secret with one version (token 1, AWSCURRENT, value 'v1'). */
async function secretWithValue(name = 'app/signing-key') {
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: token(1) }));
  return created.ARN!;
}

async function put(secretId: string, n: number, value: string, stages?: string[]) {
  return sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token(n), SecretString: value, ...(stages && { VersionStages: stages }) }));
}

async function versionIdsToStages(secretId: string) {
  return (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;
}

/** The error a rejected send raised, for assertions on its class, name and message. */
async function failure(promise: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('CreateSecret', () => {
  it('creates a secret whose first version is AWSCURRENT, under an ARN with AWS\'s random suffix', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'app/key', SecretString: 'v1', ClientRequestToken: token(1), Description: 'd' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/key-[A-Za-z0-9]{6}$/);
    expect(created).toMatchObject({ Name: 'app/key', VersionId: token(1) });

    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/key' }));
    expect(described).toMatchObject({ ARN: created.ARN, Name: 'app/key', Description: 'd', VersionIdsToStages: { [token(1)]: [AWSCURRENT] } });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    // Rotation fields appear only once rotation has been configured.
    expect(described.RotationEnabled).toBeUndefined();
    expect(described.RotationRules).toBeUndefined();
  });

  it('creates a secret without a value: no version at all', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    expect(created.VersionId).toBeUndefined();
    expect(await versionIdsToStages('empty')).toEqual({});
  });

  it('refuses an existing name (ResourceExistsException) and an invalid one (ValidationException)', async () => {
    await secretWithValue('taken');
    const exists = await failure(sm.send(new CreateSecretCommand({ Name: 'taken', SecretString: 'x' })));
    expect(exists).toBeInstanceOf(ResourceExistsException);
    expect(exists.message).toBe('The operation failed because the secret taken already exists.');

    const invalid = await failure(sm.send(new CreateSecretCommand({ Name: 'no spaces', SecretString: 'x' })));
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.$metadata.httpStatusCode).toBe(400);
  });
});

describe('GetSecretValue', () => {
  it('reads AWSCURRENT by default, by name, full ARN or partial ARN', async () => {
    const arn = await secretWithValue('app/key');
    await put(arn, 2, 'v2-pending', [AWSPENDING]);
    for (const secretId of ['app/key', arn, arn.slice(0, -7)]) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
      expect(value).toMatchObject({ ARN: arn, Name: 'app/key', VersionId: token(1), SecretString: 'v1', VersionStages: [AWSCURRENT] });
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
  });

  it('reads a version by VersionStage, by VersionId, or by both when they agree', async () => {
    const arn = await secretWithValue();
    await put(arn, 2, 'v2-pending', [AWSPENDING]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: AWSPENDING }))).SecretString).toBe('v2-pending');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(1) }))).SecretString).toBe('v1');
    const both = await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(2), VersionStage: AWSPENDING }));
    expect(both).toMatchObject({ VersionId: token(2), SecretString: 'v2-pending', VersionStages: [AWSPENDING] });
  });

  it('refuses a VersionStage that the VersionId does not hold (InvalidRequestException)', async () => {
    const arn = await secretWithValue();
    const error = await failure(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(1), VersionStage: AWSPENDING })));
    expect(error).toBeInstanceOf(InvalidRequestException);
  });

  it('answers ResourceNotFoundException for an unknown secret, version or stage, and a secret without value', async () => {
    const arn = await secretWithValue();
    await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    const cases: [Record<string, string>, string][] = [
      [{ SecretId: 'nope' }, "Secrets Manager can't find the specified secret."],
      [{ SecretId: `${arn.slice(0, -6)}zzzzzz` }, "Secrets Manager can't find the specified secret."],
      [{ SecretId: arn, VersionId: token(9) }, `Secrets Manager can't find the specified secret value for VersionId: ${token(9)}`],
      [{ SecretId: arn, VersionStage: AWSPENDING }, "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"],
      [{ SecretId: 'empty' }, "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"],
    ];
    for (const [input, message] of cases) {
      const error = await failure(sm.send(new GetSecretValueCommand(input as any)));
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toBe(message);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('returns SecretBinary as bytes', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: new Uint8Array([0, 1, 254, 255]) }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    expect(value.SecretString).toBeUndefined();
    expect([...value.SecretBinary!]).toEqual([0, 1, 254, 255]);
  });
});

describe('PutSecretValue', () => {
  it('without VersionStages moves AWSCURRENT to the new version and AWSPREVIOUS to the one it left', async () => {
    const arn = await secretWithValue();
    expect(await put(arn, 2, 'v2')).toMatchObject({ ARN: arn, Name: 'app/signing-key', VersionId: token(2), VersionStages: [AWSCURRENT] });
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT] });

    // A third value: the first version loses its last stage and is deprecated: no longer listed,
    // still readable by its id.
    await put(arn, 3, 'v3');
    expect(await versionIdsToStages(arn)).toEqual({ [token(2)]: [AWSPREVIOUS], [token(3)]: [AWSCURRENT] });
    expect(engine.stages(arn)).toEqual({ [token(1)]: [], [token(2)]: [AWSPREVIOUS], [token(3)]: [AWSCURRENT] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(1) }))).SecretString).toBe('v1');
  });

  it('with VersionStages attaches only those, moving each from the version that held it', async () => {
    const arn = await secretWithValue();
    expect(await put(arn, 2, 'p2', [AWSPENDING])).toMatchObject({ VersionId: token(2), VersionStages: [AWSPENDING] });
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSCURRENT], [token(2)]: [AWSPENDING] });

    await put(arn, 3, 'p3', [AWSPENDING, 'CUSTOM']);
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSCURRENT], [token(3)]: [AWSPENDING, 'CUSTOM'] });
    expect(engine.valueAt(arn)).toBe('v1');
  });

  it('attaches AWSCURRENT to a secret\'s first version even when VersionStages names another stage', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    const first = await put('empty', 1, 'v1', [AWSPENDING]);
    expect(first.VersionStages).toEqual([AWSPENDING, AWSCURRENT]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'empty' }))).SecretString).toBe('v1');
  });

  it('is idempotent per ClientRequestToken: the same value again changes nothing', async () => {
    const arn = await secretWithValue();
    await put(arn, 2, 'v2');
    const before = engine.secret(arn);
    const again = await put(arn, 2, 'v2');
    expect(again).toMatchObject({ VersionId: token(2), VersionStages: [AWSCURRENT] });
    // Not even with other VersionStages: the request is ignored.
    await put(arn, 2, 'v2', [AWSPENDING]);
    expect(engine.secret(arn)).toEqual(before);
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT] });
  });

  it('refuses the same ClientRequestToken with another value (ResourceExistsException): versions are immutable', async () => {
    const arn = await secretWithValue();
    const error = await failure(put(arn, 1, 'other'));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(engine.valueAt(arn)).toBe('v1');
  });

  it('takes the SDK\'s generated ClientRequestToken as the VersionId when none is given', async () => {
    const arn = await secretWithValue();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2' }));
    expect(put.VersionId).toMatch(UUID);
    expect(engine.valueAt(arn)).toBe('v2');
  });

  it('refuses a missing secret, a missing or double value, and a malformed token', async () => {
    const arn = await secretWithValue();
    expect(await failure(put('nope', 2, 'x'))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token(2) })))).toBeInstanceOf(InvalidRequestException);
    const both = sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token(2), SecretString: 'x', SecretBinary: new Uint8Array([1]) }));
    expect(await failure(both)).toBeInstanceOf(InvalidParameterException);
    const short = await failure(sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: 'short', SecretString: 'x' })));
    expect(short.name).toBe('ValidationException');
    expect(Object.keys(engine.stages(arn))).toEqual([token(1)]);
  });
});

describe('UpdateSecretVersionStage', () => {
  /** Versions 1 (AWSPREVIOUS), 2 (AWSCURRENT), 3 (AWSPENDING). */
  async function threeVersions() {
    const arn = await secretWithValue();
    await put(arn, 2, 'v2');
    await put(arn, 3, 'v3', [AWSPENDING]);
    return arn;
  }
  const move = (arn: string, stage: string, moveTo?: string, removeFrom?: string) =>
    sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: stage, MoveToVersionId: moveTo, RemoveFromVersionId: removeFrom }));

  it('moves AWSCURRENT and, with it, AWSPREVIOUS to the version AWSCURRENT left (finishSecret)', async () => {
    const arn = await threeVersions();
    expect(await move(arn, AWSCURRENT, token(3), token(2))).toMatchObject({ ARN: arn, Name: 'app/signing-key' });
    expect(await versionIdsToStages(arn)).toEqual({ [token(2)]: [AWSPREVIOUS], [token(3)]: [AWSPENDING, AWSCURRENT] });
    expect(engine.stages(arn)[token(1)]).toEqual([]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('v3');
  });

  it('reverts to the previous version: AWSCURRENT and AWSPREVIOUS swap', async () => {
    const arn = await threeVersions();
    await move(arn, AWSCURRENT, token(1), token(2));
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSCURRENT], [token(2)]: [AWSPREVIOUS], [token(3)]: [AWSPENDING] });
  });

  it('refuses to move a stage held elsewhere without RemoveFromVersionId, or with the wrong one', async () => {
    const arn = await threeVersions();
    const before = engine.stages(arn);
    const missing = await failure(move(arn, AWSCURRENT, token(3)));
    expect(missing).toBeInstanceOf(InvalidParameterException);
    expect(missing.message).toContain(`currently attached to version ${token(2)}`);
    expect(await failure(move(arn, AWSCURRENT, token(3), token(1)))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(move(arn, AWSPENDING, token(1)))).toBeInstanceOf(InvalidParameterException);
    expect(engine.stages(arn)).toEqual(before);
  });

  it('moving a stage onto the version that already holds it needs no RemoveFromVersionId', async () => {
    const arn = await threeVersions();
    await move(arn, AWSCURRENT, token(2));
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT], [token(3)]: [AWSPENDING] });
  });

  it('attaches a custom label and removes labels; a version left without a label is deprecated', async () => {
    const arn = await threeVersions();
    await move(arn, 'BLUE', token(1));
    expect(engine.stages(arn)[token(1)]).toEqual([AWSPREVIOUS, 'BLUE']);
    await move(arn, 'BLUE', token(2), token(1));
    await move(arn, AWSPENDING, undefined, token(3));
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT, 'BLUE'] });
    expect(engine.stages(arn)[token(3)]).toEqual([]);
  });

  it('refuses to remove a label from a version that does not hold it', async () => {
    const arn = await threeVersions();
    expect(await failure(move(arn, AWSPENDING, undefined, token(2)))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(move(arn, 'NOWHERE', undefined, token(2)))).toBeInstanceOf(InvalidParameterException);
  });

  it('refuses to remove AWSCURRENT without moving it, unknown versions, no version at all, unknown secrets', async () => {
    const arn = await threeVersions();
    expect(await failure(move(arn, AWSCURRENT, undefined, token(2)))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(move(arn, AWSPENDING, token(9), token(3)))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(move(arn, AWSPENDING))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(move('nope', AWSCURRENT, token(3), token(2)))).toBeInstanceOf(ResourceNotFoundException);
    expect(engine.valueAt(arn)).toBe('v2');
  });
});

describe('RotateSecret and the four rotation steps, as AWS\'s rotation template checks them', () => {
  it('records the rotation settings and creates the new version as AWSPENDING without a value', async () => {
    const arn = await secretWithValue();
    const rotated = await sm.send(new RotateSecretCommand({
      SecretId: arn, ClientRequestToken: token(2), RotationLambdaARN: ROTATION_LAMBDA, RotationRules: { AutomaticallyAfterDays: 30 },
    }));
    expect(rotated).toMatchObject({ ARN: arn, Name: 'app/signing-key', VersionId: token(2) });

    // The template's preamble: rotation enabled, the token is a version, and it is AWSPENDING.
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: ROTATION_LAMBDA,
      RotationRules: { AutomaticallyAfterDays: 30 },
      VersionIdsToStages: { [token(1)]: [AWSCURRENT], [token(2)]: [AWSPENDING] },
    });
    expect(described.LastRotatedDate).toBeUndefined();

    // createSecret: the pending version has no value yet, so the function generates and stores one.
    const pending = await failure(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(2), VersionStage: AWSPENDING })));
    expect(pending).toBeInstanceOf(ResourceNotFoundException);
    await put(arn, 2, 'v2', [AWSPENDING]);
    await put(arn, 2, 'v2', [AWSPENDING]); // a retried createSecret
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token(2), VersionStage: AWSPENDING }))).SecretString).toBe('v2');
    expect(engine.valueAt(arn)).toBe('v1');

    // finishSecret: AWSCURRENT moves; AWSPENDING may stay on it, as the template leaves it.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: AWSCURRENT, MoveToVersionId: token(2), RemoveFromVersionId: token(1) }));
    const finished = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(finished.VersionIdsToStages).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSPENDING, AWSCURRENT] });
    expect(finished.LastRotatedDate).toBeInstanceOf(Date);

    // The next rotation may start: AWSPENDING moves to its new version.
    const next = await sm.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token(3) }));
    expect(next.VersionId).toBe(token(3));
    expect(await versionIdsToStages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT], [token(3)]: [AWSPENDING] });
  });

  it('refuses a new rotation while AWSPENDING is on a version that is not AWSCURRENT; the same token is a retry', async () => {
    const arn = await secretWithValue();
    await sm.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token(2), RotationLambdaARN: ROTATION_LAMBDA }));
    const again = await failure(sm.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token(3) })));
    expect(again).toBeInstanceOf(InvalidRequestException);
    expect(again.message).toBe('A previous rotation isn\'t complete. That rotation will be reattempted.');
    expect((await sm.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token(2) }))).VersionId).toBe(token(2));
    expect(Object.keys(engine.stages(arn))).toEqual([token(1), token(2)]);
  });

  it('refuses rotation without a rotation function (InvalidRequestException)', async () => {
    const arn = await secretWithValue();
    expect(await failure(sm.send(new RotateSecretCommand({ SecretId: arn })))).toBeInstanceOf(InvalidRequestException);
    expect(engine.secret(arn)?.rotation).toBeUndefined();
  });

  it('with RotateImmediately false only records the settings', async () => {
    const arn = await secretWithValue();
    const rotated = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: ROTATION_LAMBDA, RotateImmediately: false }));
    expect(rotated.VersionId).toBeUndefined();
    expect(await sm.send(new DescribeSecretCommand({ SecretId: arn }))).toMatchObject({ RotationEnabled: true, VersionIdsToStages: { [token(1)]: [AWSCURRENT] } });
  });
});

describe('GetRandomPassword', () => {
  const password = async (input: GetRandomPasswordCommandInput) =>
    (await sm.send(new GetRandomPasswordCommand(input))).RandomPassword!;

  it('defaults to 32 characters with each character type', async () => {
    const value = await password({});
    expect(value).toHaveLength(32);
    expect(value).toMatch(/[a-z]/);
    expect(value).toMatch(/[A-Z]/);
    expect(value).toMatch(/[0-9]/);
    expect(value).toMatch(/[^A-Za-z0-9]/);
  });

  it('honours the length, the exclusions and IncludeSpace', async () => {
    expect(await password({ PasswordLength: 64, ExcludePunctuation: true })).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await password({ PasswordLength: 50, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeCharacters: 'abc' })).toMatch(/^[d-z]{50}$/);
    expect(await password({ PasswordLength: 200, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, IncludeSpace: true })).toBe(' '.repeat(200));
    const hex = await Promise.all(Array.from({ length: 5 }, () => password({ PasswordLength: 4, ExcludePunctuation: true, ExcludeUppercase: true, RequireEachIncludedType: false })));
    for (const value of hex) expect(value).toMatch(/^[a-z0-9]{4}$/);
  });

  it('refuses a length too short for the required types, and excluding everything', async () => {
    expect(await failure(password({ PasswordLength: 3 }))).toBeInstanceOf(InvalidParameterException);
    const nothing = password({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true });
    expect(await failure(nothing)).toBeInstanceOf(InvalidParameterException);
    expect((await failure(password({ PasswordLength: 5000 }))).name).toBe('ValidationException');
  });
});

describe('the wire', () => {
  it('answers an unknown operation with UnknownOperationException, and a non-JSON body with SerializationException', async () => {
    const post = (target: string, body: string) =>
      fetch(engine.endpoint, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' }, body });
    const unknown = await post('secretsmanager.DeleteSecret', '{"SecretId":"x"}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException', message: 'Unknown operation secretsmanager.DeleteSecret' });
    const notJson = (await (await post('secretsmanager.GetSecretValue', 'not json')).json()) as { __type: string };
    expect(notJson.__type).toBe('SerializationException');
    const prototypeMember = (await (await post('secretsmanager.constructor', '{}')).json()) as { __type: string };
    expect(prototypeMember.__type).toBe('UnknownOperationException');
  });
});

describe('fault injection', () => {
  it('failNext answers the error once, without applying the call', async () => {
    const arn = await secretWithValue();
    engine.failNext('PutSecretValue', 'InternalServiceError');
    expect(engine.pendingFaults).toBe(1);
    const error = await failure(put(arn, 2, 'v2'));
    expect(error).toBeInstanceOf(InternalServiceError);
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(engine.valueAt(arn)).toBe('v1');
    expect(engine.pendingFaults).toBe(0);
    await put(arn, 2, 'v2');
    expect(engine.valueAt(arn)).toBe('v2');
  });

  it('a retrying client gets past one InternalServiceError: the SDK retries with the same token', async () => {
    const arn = await secretWithValue();
    const retrying = secretsManagerClient(engine, { maxAttempts: 3 });
    try {
      engine.clearCalls();
      engine.failNext('PutSecretValue');
      await retrying.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2' }));
      const puts = engine.calls.filter((call) => call.operation === 'PutSecretValue');
      expect(puts.map((call) => call.error ?? 'ok')).toEqual(['InternalServiceError', 'ok']);
      expect(puts[0]!.input.ClientRequestToken).toBe(puts[1]!.input.ClientRequestToken);
    } finally {
      retrying.destroy();
    }
  });

  it('lose-response applies the call and drops the answer; the SDK\'s retry is absorbed by idempotency', async () => {
    const arn = await secretWithValue();
    const retrying = secretsManagerClient(engine, { maxAttempts: 3 });
    try {
      engine.clearCalls();
      engine.inject('PutSecretValue', { kind: 'lose-response' });
      const put = await retrying.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token(2), SecretString: 'v2' }));
      expect(put.VersionId).toBe(token(2));
      expect(engine.calls.map((call) => [call.operation, call.fault])).toEqual([['PutSecretValue', 'lose-response'], ['PutSecretValue', undefined]]);
      expect(engine.stages(arn)).toEqual({ [token(1)]: [AWSPREVIOUS], [token(2)]: [AWSCURRENT] });
    } finally {
      retrying.destroy();
    }
  });

  it('reset and hang fail the call without applying it; delay answers late', async () => {
    const arn = await secretWithValue();
    const impatient = secretsManagerClient(engine, { maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
    try {
      engine.inject('PutSecretValue', { kind: 'reset' });
      await expect(put(arn, 2, 'v2')).rejects.toThrow();
      engine.inject('PutSecretValue', { kind: 'hang' });
      await expect(impatient.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token(2), SecretString: 'v2' }))).rejects.toThrow();
      expect(engine.valueAt(arn)).toBe('v1');

      engine.inject('GetSecretValue', { kind: 'delay', ms: 150 });
      const started = Date.now();
      expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('v1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      impatient.destroy();
    }
  });

  it('targets requests by `match` and `times`, in the order the faults were added', async () => {
    const arn = await secretWithValue();
    engine.inject('*', { kind: 'error', type: 'ThrottlingException', message: 'slow down' }, { times: 2, match: (input) => input.VersionStage === AWSPENDING });
    await put(arn, 2, 'p', [AWSPENDING]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('v1');
    for (let i = 0; i < 2; i++) {
      const error = await failure(sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: AWSPENDING })));
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('slow down');
    }
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: AWSPENDING }))).SecretString).toBe('p');

    engine.failNext('DescribeSecret');
    engine.clearFaults();
    expect(engine.pendingFaults).toBe(0);
    await sm.send(new DescribeSecretCommand({ SecretId: arn }));
  });

  it('records every call without the secret value', async () => {
    const arn = await secretWithValue();
    engine.clearCalls();
    await put(arn, 2, 'very-secret', [AWSPENDING]);
    await failure(sm.send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(engine.calls).toEqual([
      { operation: 'PutSecretValue', input: { SecretId: arn, ClientRequestToken: token(2), VersionStages: [AWSPENDING] } },
      { operation: 'GetSecretValue', input: { SecretId: 'nope' }, error: 'ResourceNotFoundException' },
    ]);
    expect(JSON.stringify(engine.calls)).not.toContain('very-secret');
  });
});
