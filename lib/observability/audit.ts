import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../runtime/clock.ts';
import type { ApiMetrics, MetricName } from './metrics.ts';

/** The credential events (docs/operations.md, "Audit trail"). */
export type AuditEvent =
  | 'account.created'
  | 'signin.succeeded'
  | 'signin.failed'
  | 'signin.locked'
  | 'service_token.created'
  | 'service_token.rotated'
  | 'service_token.revoked'
  | 'password.reset'
  | 'password.reset_failed'
  | 'signing_key.rotated';

/** Who acted: the admin, a service token (by id), nobody authenticated, or the stack itself. */
export type Actor = `admin:${string}` | `service_token:${string}` | 'service_token' | 'anonymous' | 'system';

export const adminActor = (adminId: string): Actor => `admin:${adminId}`;
/** `service_token` alone until the token has an id to name. */
export const serviceTokenActor = (tokenId?: string): Actor => (tokenId ? `service_token:${tokenId}` : 'service_token');

/**
 * What an event may say. A closed list on purpose: there is no field a password, token value,
 * digest, JWT or key could be put in.
 */
export interface AuditFields {
  readonly outcome: 'success' | 'failure';
  readonly actor: Actor;
  /** When known: sign-in with an unknown email has none. */
  readonly companyId?: string;
  /** The admin the event is about (sign-up creates one, sign-in names one). */
  readonly adminId?: string;
  /** The ids of the service tokens involved, never their values or digests. */
  readonly tokenIds?: readonly string[];
  /** Why a failure failed, in snake case: `invalid_credentials`, `too_many_attempts`, … */
  readonly reason?: string;
  /** A rotation's grace period. */
  readonly graceSeconds?: number;
  /** A signing key's id (`kid`): public, it is in every JWT header. */
  readonly keyId?: string;
}

/** Where the request came from: set by the request pipeline for the length of one invocation. */
export type AuditSource =
  | { readonly source: 'http'; readonly clientAddress: string; readonly userAgent: string | undefined }
  | { readonly source: 'direct' };

export interface Invocation {
  readonly origin: AuditSource;
  readonly lambdaRequestId: string | undefined;
  readonly gatewayRequestId: string | undefined;
}

// Per invocation, not per container: tests (and any caller) may run invocations concurrently in
// one process, and each event must carry its own request's source and ids.
const current = new AsyncLocalStorage<Invocation>();

/** Runs one invocation's work with its source and request ids available to `AuditLog.record`. */
export function withInvocation<T>(invocation: Invocation, work: () => T): T {
  return current.run(invocation, work);
}

const NO_INVOCATION: Invocation = { origin: { source: 'direct' }, lambdaRequestId: undefined, gatewayRequestId: undefined };

/** The metric each event also counts, where it has one. */
const COUNTED: Partial<Record<AuditEvent, MetricName>> = {
  'signin.failed': 'SignInFailed',
  'signin.locked': 'SignInLocked',
  'service_token.created': 'ServiceTokenCreated',
  'service_token.rotated': 'ServiceTokenRotated',
  'service_token.revoked': 'ServiceTokenRevoked',
  'password.reset': 'PasswordReset',
  'password.reset_failed': 'PasswordResetFailed',
};

/**
 * Writes each credential event as one JSON line at INFO with `"audit": "<event>"`. Its own Logger,
 * at INFO whatever the function's level (a successful request's own line is at DEBUG), except at
 * SILENT, which silences it too.
 */
export class AuditLog {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: ApiMetrics;

  constructor(logger: Logger, clock: Clock, metrics: ApiMetrics) {
    // Made before any invocation: it takes none of another request's context or keys with it.
    this.#logger = logger.createChild({ logLevel: logger.getLevelName() === 'SILENT' ? 'SILENT' : 'INFO' });
    this.#clock = clock;
    this.#metrics = metrics;
  }

  record(event: AuditEvent, fields: AuditFields): void {
    const { origin, lambdaRequestId, gatewayRequestId } = current.getStore() ?? NO_INVOCATION;
    const metric = COUNTED[event];
    this.#logger.info('audit', {
      // The event's metric, in the same line (EMF): counted exactly when the event is recorded.
      ...(metric && this.#metrics.inline(metric)),
      audit: event,
      time: new Date(this.#clock.now()).toISOString(),
      ...fields,
      ...origin,
      // The key Powertools gives the Lambda request id in every other line of the function.
      function_request_id: lambdaRequestId,
      gatewayRequestId,
    });
  }
}
