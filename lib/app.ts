import { Logger } from '@aws-lambda-powertools/logger';
import { AdminJwt } from './auth/admin-jwt.ts';
import { signingKeyLoader } from './auth/signing-key.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { AccountStore } from './store/accounts.ts';
import { createDocumentClient, type Database } from './store/client.ts';
import { ServiceTokenStore } from './store/service-tokens.ts';
import { SignInAttemptStore } from './store/sign-in-attempts.ts';

/** Everything a request needs, wired once per container. Tests build their own with another clock or table. */
export interface App {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jwt: AdminJwt;
  readonly accounts: AccountStore;
  readonly serviceTokens: ServiceTokenStore;
  readonly signInAttempts: SignInAttemptStore;
}

export interface AppOverrides {
  readonly clock?: Clock;
  readonly db?: Database;
  readonly signingKey?: () => Promise<Uint8Array>;
  readonly logger?: Logger;
}

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db ?? createDocumentClient(config);
  const signingKey = overrides.signingKey ?? signingKeyLoader(config);
  return {
    config,
    clock,
    logger: overrides.logger ?? new Logger({ serviceName: 'databrain-admin-api' }),
    jwt: new AdminJwt(signingKey, config.jwt, clock),
    accounts: new AccountStore(db, config.tableName),
    serviceTokens: new ServiceTokenStore(db, config.tableName),
    signInAttempts: new SignInAttemptStore(db, config.tableName),
  };
}

let productionApp: App | undefined;

/**
 * The container's App, built from the environment on first use. Handlers call this at module
 * load, so a misconfigured deployment fails its cold start with the variable named.
 */
export function appFromEnvironment(): App {
  productionApp ??= createApp(loadConfig(process.env));
  return productionApp;
}
