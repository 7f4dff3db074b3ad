import type { Runtime } from '../http/pipeline.lean.ts';
import { createDocumentClient, type Database } from '../aws/dynamodb.ts';
import { ServiceTokenStore } from '../service-token/token.store.ts';
import { loadStoreConfig, type StoreConfig } from '../runtime/config.lean.ts';
import { createObservers, type ObserverOverrides, type Observers } from './observers.ts';

/**
 * The lean wiring of the functions that only check service tokens (the authorizer, introspection,
 * the published token's rotation): no Joi, no jose, no password code in their bundles. `App`
 * (app.ts) is built on top of it.
 */
export interface TokenRuntime extends Runtime, Observers {
  readonly config: StoreConfig;
  readonly serviceTokens: ServiceTokenStore;
}

export interface TokenRuntimeOverrides extends ObserverOverrides {
  readonly db?: Database;
}

export function createTokenRuntime(config: StoreConfig, overrides: TokenRuntimeOverrides = {}): TokenRuntime {
  return {
    config,
    ...createObservers(overrides),
    serviceTokens: new ServiceTokenStore(overrides.db ?? createDocumentClient(config), config.tableName),
  };
}

let productionRuntime: TokenRuntime | undefined;

/** The container's token runtime, built from the environment on first use (app.ts says when). */
export function tokenRuntimeFromEnvironment(): TokenRuntime {
  productionRuntime ??= createTokenRuntime(loadStoreConfig(process.env));
  return productionRuntime;
}
