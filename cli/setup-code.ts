// The setup code a claim must carry (claimMode setupCode): the stack's Secrets Manager secret
// databrain-admin-api/<stage>/setup-code, read with the caller's AWS credentials.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CliError, transportError } from './api.ts';
import { awsClientSettings, type AwsTarget } from './aws.ts';

export const setupCodeSecretName = (service: string, stage: string): string => `${service}/${stage}/setup-code`;

/** The code, or undefined when the stage has no such secret (claimMode iam or open). */
export async function readSetupCode(secretName: string, target: AwsTarget): Promise<string | undefined> {
  const client = new SecretsManagerClient({ ...awsClientSettings(target, 'secretsmanager'), maxAttempts: 3 });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    if (!SecretString) throw transportError(`the secret ${secretName} holds no string: not a setup code`);
    return SecretString;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    if (!(error instanceof Error) || error instanceof CliError) throw error;
    throw transportError(`reading the setup code (${secretName}) failed: ${error.name}: ${error.message}`);
  } finally {
    client.destroy();
  }
}
