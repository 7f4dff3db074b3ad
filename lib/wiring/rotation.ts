import { rotatedSecrets, type RotatedSecret, type RotationEvent } from '../aws/secrets-manager-rotation.ts';

/**
 * The one shape of a Secrets Manager rotation function (the signing key set, the published service
 * token): Secrets Manager invokes it once per step (createSecret, setSecret, testSecret,
 * finishSecret) with the secret it rotates. A thrown error fails the step, logged here with the step
 * and version; Secrets Manager retries the rotation with the same token later. `what` names the
 * rotation in that line ("signing key rotation", …).
 */
export function rotationHandler(
  what: string,
  log: { error(message: string, extra: Record<string, unknown>): void },
  step: (event: RotationEvent, secret: RotatedSecret) => Promise<void>,
): (event: RotationEvent) => Promise<void> {
  const secrets = rotatedSecrets();
  return async (event) => {
    try {
      await step(event, secrets(event.SecretId));
    } catch (error) {
      log.error(`${what} step failed`, { step: event.Step, versionId: event.ClientRequestToken, error });
      throw error;
    }
  };
}
