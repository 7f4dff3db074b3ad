import { systemClock, type Clock } from './clock.ts';
import type { Runtime } from '../http/pipeline.lean.ts';
import { createDocumentClient, type Database } from '../aws/dynamodb.ts';
import { ServiceTokenStore } from '../service-token/token.store.ts';
import { loadStoreConfig, type StoreConfig } from './config.lean.ts';
import { AuditLog } from '../observability/audit.ts';
import { ApiMetrics } from '../observability/metrics.ts';
import { RequestLogger } from '../observability/logger.ts';

/**
 * The lean wiring of the functions that only check service tokens (the authorizer, introspection):
 * no Joi, no jose, no password code in their bundles. `App` (app.ts) is built on top of it.
 */
export interface TokenRuntime extends Runtime {
  readonly config: StoreConfig;
  readonly clock: Clock;
  readonly serviceTokens: ServiceTokenStore;
  readonly audit: AuditLog;
}

export interface TokenRuntimeOverrides {
  readonly clock?: Clock;
  readonly db?: Database;
  readonly logger?: RequestLogger;
  readonly metrics?: ApiMetrics;
}

const SERVICE_NAME = 'databrain-admin-api';

export function createTokenRuntime(config: StoreConfig, overrides: TokenRuntimeOverrides = {}): TokenRuntime {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? new RequestLogger({ serviceName: SERVICE_NAME });
  // SILENT silences everything the function writes: its audit lines and metrics too.
  const silent = logger.getLevelName() === 'SILENT';
  const metrics = overrides.metrics ?? new ApiMetrics({ serviceName: SERVICE_NAME, silent });
  return {
    config,
    clock,
    logger,
    metrics,
    audit: new AuditLog({ serviceName: SERVICE_NAME, silent, clock, metrics }),
    serviceTokens: new ServiceTokenStore(overrides.db ?? createDocumentClient(config), config.tableName),
  };
}

let productionRuntime: TokenRuntime | undefined;

/** Built at module load by the handlers that use it, so bad configuration fails the cold start. */
export function tokenRuntimeFromEnvironment(): TokenRuntime {
  productionRuntime ??= createTokenRuntime(loadStoreConfig(process.env));
  return productionRuntime;
}
