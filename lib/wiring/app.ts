import { AdminJwt } from '../admin/jwt.ts';
import { KeySetCache, keySetSource, type SigningKeys } from '../admin/signing-key.ts';
import { loadConfig, type Config, type LoadOptions } from '../runtime/config.ts';
import { AccountStore } from '../admin/account.store.ts';
import { createDocumentClient } from '../aws/dynamodb.ts';
import { AttemptStore } from '../admin/attempts.store.ts';
import { RESET_PASSWORD_KEY_PREFIX, SIGN_IN_KEY_PREFIX } from '../aws/table.ts';
import { claimPolicy, type ClaimPolicy } from '../admin/claim.ts';
import { createTokenRuntime, type TokenRuntime, type TokenRuntimeOverrides } from './token-runtime.lean.ts';

/*
 * The composition root: the one place that knows every store, client and key, and builds them.
 * Only handlers (and tests, with another clock or table) import it; everything below takes just the
 * few dependencies it uses, which App and TokenRuntime satisfy by their field names.
 *
 * Built once per container: a handler module builds its wiring, its route and the body schemas that
 * route uses as it loads, during Lambda's init, and every invocation reuses them. Configuration is
 * validated then too, so a misconfigured deployment fails its cold start with the variable named,
 * not its first request.
 */

/** Everything a request of a full (Joi, jose) function may need. */
export interface App extends TokenRuntime {
  readonly config: Config;
  readonly jwt: AdminJwt;
  readonly accounts: AccountStore;
  /** Failed sign-ins, per (email, client address) and per email. */
  readonly signInAttempts: AttemptStore;
  /** Wrong current passwords given to the password reset, per admin. */
  readonly resetAttempts: AttemptStore;
  /** Who may claim the instance (createAdminAccount; lib/admin/claim.ts). */
  readonly claim: ClaimPolicy;
}

export interface AppOverrides extends TokenRuntimeOverrides {
  readonly signingKeys?: SigningKeys;
}

/** The token runtime (clock, logger, service tokens), plus what admin and sign-in requests need. */
export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const db = overrides.db ?? createDocumentClient(config);
  const runtime = createTokenRuntime(config, { ...overrides, db });
  const signingKeys = overrides.signingKeys ?? new KeySetCache(keySetSource(config), runtime.clock, {
    maxAgeMs: config.jwt.keySetMaxAgeSeconds * 1000,
    onStaleSet: (error) => runtime.logger.warn('signing key set could not be read again; the one held stays in use', { error }),
  });
  return {
    ...runtime,
    config,
    jwt: new AdminJwt(signingKeys, config.jwt, runtime.clock),
    accounts: new AccountStore(db, config.tableName),
    signInAttempts: new AttemptStore(db, config.tableName, SIGN_IN_KEY_PREFIX),
    resetAttempts: new AttemptStore(db, config.tableName, RESET_PASSWORD_KEY_PREFIX),
    claim: claimPolicy(config, runtime.clock),
  };
}

let productionApp: App | undefined;

/**
 * The container's App, built from the environment on first use. `options`: what this function
 * leaves out of the configuration (recoverAdminAccess has no signing key).
 */
export function appFromEnvironment(options?: LoadOptions): App {
  productionApp ??= createApp(loadConfig(process.env, options));
  return productionApp;
}
