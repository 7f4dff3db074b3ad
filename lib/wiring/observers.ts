import { systemClock, type Clock } from '../runtime/clock.ts';
import { AuditLog } from '../observability/audit.ts';
import { ApiMetrics } from '../observability/metrics.ts';
import { RequestLogger } from '../observability/logger.ts';

/** What every function has, HTTP route or not: the clock, its logger, metrics and audit log. */
export interface Observers {
  readonly clock: Clock;
  readonly logger: RequestLogger;
  readonly metrics: ApiMetrics;
  readonly audit: AuditLog;
}

export interface ObserverOverrides {
  readonly clock?: Clock;
  readonly logger?: RequestLogger;
  readonly metrics?: ApiMetrics;
}

const SERVICE_NAME = 'databrain-admin-api';

export function createObservers(overrides: ObserverOverrides = {}): Observers {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? new RequestLogger({ serviceName: SERVICE_NAME });
  // SILENT silences everything the function writes: its audit lines and metrics too
  // (docs/operations.md, "Audit trail").
  const silent = logger.getLevelName() === 'SILENT';
  const metrics = overrides.metrics ?? new ApiMetrics({ serviceName: SERVICE_NAME, silent });
  return { clock, logger, metrics, audit: new AuditLog({ serviceName: SERVICE_NAME, silent, clock, metrics }) };
}
