import { Logger } from '@aws-lambda-powertools/logger';
import { rotationStep, type RotationLog } from '../lib/admin/signing-key-rotation.ts';
import { RotatedSecret, type RotationEvent } from '../lib/aws/secret-rotation.ts';
import { systemClock, type Clock } from '../lib/runtime/clock.ts';

/**
 * Secrets Manager's rotation of the admin JWT signing key set (docs/security.md): Secrets Manager
 * invokes it once per step (createSecret, setSecret, testSecret, finishSecret). A thrown error fails
 * the step; Secrets Manager retries the rotation with the same token later.
 */
export const createHandler = (clock: Clock, log: RotationLog) => async (event: RotationEvent): Promise<void> => {
  const secret = new RotatedSecret(event.SecretId, process.env.AWS_REGION);
  try {
    await rotationStep(event, { secret, clock, log });
  } catch (error) {
    log.error('signing key rotation step failed', { step: event.Step, versionId: event.ClientRequestToken, error });
    throw error;
  } finally {
    secret.destroy();
  }
};

export const handler = createHandler(systemClock, new Logger({ serviceName: 'databrain-admin-api' }));
