import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BOUNDED_CALLS } from './dynamodb.ts';

// The endpoint is the SDK's: the region's, or AWS_ENDPOINT_URL_SECRETS_MANAGER when set (how the
// tests point the functions at their Secrets Manager engine).

/**
 * A secret the stack generates: the JWT signing key set (which it also rotates), or the setup code
 * of a claim. Read at a container's first use and every few minutes after (the caller caches it),
 * with the same bounded timeouts as DynamoDB calls. `variable` names where the ARN came from.
 */
export async function readSecretString(arn: string, region: string, variable = 'JWT_SECRET_ARN'): Promise<string> {
  const client = new SecretsManagerClient({ region, ...BOUNDED_CALLS });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error(`${variable} names a secret without a string value`);
    return SecretString;
  } finally {
    client.destroy();
  }
}
