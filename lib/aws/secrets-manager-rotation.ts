import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { BOUNDED_CALLS } from './dynamodb.ts';

/*
 * What every Secrets Manager rotation function of the stack shares: the calls it makes on the
 * secret it rotates, and the checks of Secrets Manager's rotation template before each step. What
 * a step does is the caller's (the signing key set, the published service token).
 *
 * The endpoint is the SDK's: the region's, or AWS_ENDPOINT_URL_SECRETS_MANAGER when set (how the
 * tests point the functions at their Secrets Manager engine).
 */

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** What Secrets Manager sends the rotation function, once per step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

/** A rotation step that must not go on; Secrets Manager records the failure and retries the rotation later. */
export class RotationError extends Error {
  override readonly name = 'RotationError';
}

/** One secret's versions, as the rotation function's steps see them (DescribeSecret). */
export interface SecretDescription {
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels; versions without a label are left out (as AWS does). */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/**
 * The secrets a container's rotation steps work on, through one Secrets Manager client made at its
 * first step and reused by the next ones, like the DynamoDB client: a rotation's four steps come
 * seconds apart, and a client per step paid for its construction and a new connection (a TLS
 * handshake, on AWS) at every step. The region, credentials and endpoint are the SDK's defaults
 * (AWS_REGION; AWS_ENDPOINT_URL_SECRETS_MANAGER in the tests), read at the first step.
 */
export function rotatedSecrets(): (secretId: string) => RotatedSecret {
  let client: SecretsManagerClient | undefined;
  return (secretId) => new RotatedSecret((client ??= new SecretsManagerClient(BOUNDED_CALLS)), secretId);
}

/** The calls a rotation function makes on the secret it rotates, and nothing else. */
export class RotatedSecret {
  readonly #client: SecretsManagerClient;
  readonly #id: string;

  constructor(client: SecretsManagerClient, secretId: string) {
    this.#client = client;
    this.#id = secretId;
  }

  async describe(): Promise<SecretDescription> {
    const answer = await this.#client.send(new DescribeSecretCommand({ SecretId: this.#id }));
    return { rotationEnabled: answer.RotationEnabled === true, versionStages: answer.VersionIdsToStages ?? {} };
  }

  /** The value of the version holding `stage` (and `versionId`, if given); undefined if there is none. */
  async value(stage: string, versionId?: string): Promise<string | undefined> {
    try {
      const answer = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#id, VersionStage: stage, VersionId: versionId }));
      return answer.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  /**
   * Writes the new version under AWSPENDING. The token is the version's id, so a retry of the same
   * write is accepted and a different value for it refused (PutSecretValue's idempotency).
   */
  async putPending(token: string, value: string): Promise<void> {
    await this.#client.send(new PutSecretValueCommand({
      SecretId: this.#id, ClientRequestToken: token, SecretString: value, VersionStages: [AWSPENDING],
    }));
  }

  /** Moves AWSCURRENT from one version to another (Secrets Manager then labels the old one AWSPREVIOUS). */
  async moveCurrent(to: string, from: string): Promise<void> {
    await this.#client.send(new UpdateSecretVersionStageCommand({
      SecretId: this.#id, VersionStage: AWSCURRENT, MoveToVersionId: to, RemoveFromVersionId: from,
    }));
  }
}

/** What a step may log: a Powertools Logger fits. */
export interface RotationLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What one rotation does at each step. `versionStages` is what the checks just read. */
export interface RotationSteps {
  createSecret(token: string): Promise<void>;
  setSecret(token: string): Promise<void>;
  testSecret(token: string): Promise<void>;
  finishSecret(token: string, versionStages: SecretDescription['versionStages']): Promise<void>;
}

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/**
 * Runs one step as Secrets Manager's rotation template does: every step first checks that rotation
 * is enabled, that the token is a version of this secret, and that it is AWSPENDING; a version
 * already AWSCURRENT means the rotation is over, and the step does nothing. So every step can be
 * repeated (Secrets Manager retries failed steps with the same token), and a retried step after the
 * end changes nothing. `what` names the rotation in the log lines ("signing key rotation", …).
 */
export async function runRotationStep(
  event: RotationEvent,
  secret: Pick<RotatedSecret, 'describe'>,
  steps: RotationSteps,
  log: RotationLog,
  what: string,
): Promise<void> {
  const { ClientRequestToken: token, Step: step } = event;
  const { rotationEnabled, versionStages } = await secret.describe();
  if (!rotationEnabled) throw new RotationError('rotation is not enabled on the secret');
  const stages = versionStages[token];
  if (!stages) throw new RotationError(`version ${token} of the secret has no stage for rotation`);
  if (stages.includes(AWSCURRENT)) {
    log.info(`${what}: version already AWSCURRENT, nothing to do`, { step, versionId: token });
    return;
  }
  if (!stages.includes(AWSPENDING)) throw new RotationError(`version ${token} of the secret is not AWSPENDING`);

  switch (step) {
    case 'createSecret':
      return steps.createSecret(token);
    case 'setSecret':
      return steps.setSecret(token);
    case 'testSecret':
      return steps.testSecret(token);
    case 'finishSecret':
      return steps.finishSecret(token, versionStages);
    default:
      throw new RotationError(`unknown rotation step ${JSON.stringify(step)}`);
  }
}

/**
 * finishSecret's stage move: AWSCURRENT from the version holding it to `token`. The move may have
 * happened with its answer lost (the SDK's retry is then refused, since AWSCURRENT is no longer on
 * the old version): look before failing the step.
 */
export async function moveCurrentTo(
  secret: Pick<RotatedSecret, 'describe' | 'moveCurrent'>,
  token: string,
  versionStages: SecretDescription['versionStages'],
): Promise<void> {
  const from = Object.keys(versionStages).find((id) => versionStages[id]!.includes(AWSCURRENT));
  if (!from) throw new RotationError('no version of the secret is AWSCURRENT');
  try {
    await secret.moveCurrent(token, from);
  } catch (error) {
    const after = await secret.describe();
    if (!after.versionStages[token]?.includes(AWSCURRENT)) throw error;
  }
}
