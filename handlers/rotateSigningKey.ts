import { signingKeyRotationStep, WHAT, type RotationLog } from '../lib/admin/signing-key-rotation.ts';
import type { AuditLog } from '../lib/observability/audit.ts';
import type { Clock } from '../lib/runtime/clock.ts';
import { createObservers } from '../lib/wiring/observers.ts';
import { rotationHandler } from '../lib/wiring/rotation.ts';

/**
 * Secrets Manager's rotation of the admin JWT signing key set (docs/security.md), invoked by
 * Secrets Manager only, once per step.
 */
export const createHandler = (clock: Clock, log: RotationLog, audit: Pick<AuditLog, 'record'>) =>
  rotationHandler(WHAT, log, (event, secret) => signingKeyRotationStep(event, { secret, clock, log, audit }));

const { clock, logger, audit } = createObservers();
export const handler = createHandler(clock, logger, audit);
