import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { BOUNDED_CALLS } from './dynamodb.ts';

// The endpoint is the SDK's: the region's, or AWS_ENDPOINT_URL_SECRETS_MANAGER when set (how the
// tests point the functions at their Secrets Manager engine).

/**
 * The JWT signing key set in AWS: a Secrets Manager secret the stack generates and rotates itself.
 * Read at a container's first use and every few minutes after (the caller caches it), with the
 * same bounded timeouts as DynamoDB calls.
 */
export async function readSecretString(arn: string, region: string): Promise<string> {
  const client = new SecretsManagerClient({ region, ...BOUNDED_CALLS });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('JWT_SECRET_ARN names a secret without a string value');
    return SecretString;
  } finally {
    client.destroy();
  }
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** One secret's versions, as the rotation function's steps see them (DescribeSecret). */
export interface SecretDescription {
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels; versions without a label are left out (as AWS does). */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/** The calls a rotation function makes on the secret it rotates, and nothing else. */
export class RotatedSecret {
  readonly #client: SecretsManagerClient;
  readonly #id: string;

  constructor(secretId: string, region: string | undefined) {
    this.#id = secretId;
    this.#client = new SecretsManagerClient({ ...(region && { region }), ...BOUNDED_CALLS });
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

  destroy(): void {
    this.#client.destroy();
  }
}
