import { rotatedSecrets, type RotationEvent } from '../lib/aws/secret-rotation.ts';
import { tokenRuntimeFromEnvironment, type TokenRuntime } from '../lib/runtime/token-runtime.lean.ts';
import { loadGraceSeconds, rotatePublishedToken } from '../lib/service-token/secret-rotation.ts';

/**
 * Secrets Manager's rotation of the published service token (docs/token-management.md, "The published
 * service token"): invoked by Secrets Manager only, once per step (createSecret, setSecret,
 * testSecret, finishSecret). A thrown error fails the step; Secrets Manager retries the rotation
 * with the same token later.
 */
export const createHandler = (runtime: TokenRuntime, graceSeconds: number) => {
  const secrets = rotatedSecrets();
  return async (event: RotationEvent): Promise<void> => {
    try {
      await rotatePublishedToken(event, { secret: secrets(event.SecretId), runtime, graceSeconds });
    } catch (error) {
      runtime.logger.error('service token rotation step failed', { step: event.Step, versionId: event.ClientRequestToken, error });
      throw error;
    }
  };
};

export const handler = createHandler(tokenRuntimeFromEnvironment(), loadGraceSeconds(process.env));
