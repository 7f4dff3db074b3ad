import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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
