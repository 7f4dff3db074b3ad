import { Logger } from '@aws-lambda-powertools/logger';
import { rotationStep, type RotationLog } from '../lib/admin/signing-key-rotation.ts';
import { rotatedSecrets, type RotationEvent } from '../lib/aws/secret-rotation.ts';
import { systemClock, type Clock } from '../lib/runtime/clock.ts';
import { AuditLog } from '../lib/observability/audit.ts';
import { ApiMetrics } from '../lib/observability/metrics.ts';

/**
 * Secrets Manager's rotation of the admin JWT signing key set (docs/security.md): Secrets Manager
 * invokes it once per step (createSecret, setSecret, testSecret, finishSecret). A thrown error fails
 * the step; Secrets Manager retries the rotation with the same token later.
 */
export const createHandler = (clock: Clock, log: RotationLog, audit: Pick<AuditLog, 'record'>) => {
  const secrets = rotatedSecrets();
  return async (event: RotationEvent): Promise<void> => {
    try {
      await rotationStep(event, { secret: secrets(event.SecretId), clock, log, audit });
    } catch (error) {
      log.error('signing key rotation step failed', { step: event.Step, versionId: event.ClientRequestToken, error });
      throw error;
    }
  };
};

const SERVICE_NAME = 'databrain-admin-api';
const logger = new Logger({ serviceName: SERVICE_NAME });
// The audit line is written whatever the log level, except SILENT (docs/operations.md, "Audit trail").
const silent = logger.getLevelName() === 'SILENT';
export const handler = createHandler(systemClock, logger, new AuditLog({
  serviceName: SERVICE_NAME, silent, clock: systemClock, metrics: new ApiMetrics({ serviceName: SERVICE_NAME, silent }),
}));
