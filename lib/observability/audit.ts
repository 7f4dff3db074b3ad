import { AsyncLocalStorage } from 'node:async_hooks';
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
  | 'password.recovered'
  | 'signing_key.rotated';

/**
 * Who acted: the admin, a service token (by id), nobody authenticated, the stack itself, or the
 * operator (whoever may invoke the recovery function: an IAM permission, not an API credential).
 */
export type Actor = `admin:${string}` | `service_token:${string}` | 'service_token' | 'anonymous' | 'system' | 'operator';

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
  'password.recovered': 'PasswordRecovered',
};

export interface AuditLogOptions {
  readonly serviceName: string;
  /** The function's log level is SILENT: nothing is written. */
  readonly silent: boolean;
  readonly clock: Clock;
  readonly metrics: ApiMetrics;
}

/**
 * Writes each credential event as one JSON line at INFO with `"audit": "<event>"`, whatever the
 * function's log level (a successful request's own line is at DEBUG), except SILENT. The line has
 * the keys every Powertools Logger line starts with (level, message, timestamp, service), but is
 * written here, at a fraction of a Logger line's cost (docs/performance.md).
 */
export class AuditLog {
  readonly #service: string;
  readonly #silent: boolean;
  readonly #clock: Clock;
  readonly #metrics: ApiMetrics;

  constructor(options: AuditLogOptions) {
    this.#service = options.serviceName;
    this.#silent = options.silent;
    this.#clock = options.clock;
    this.#metrics = options.metrics;
  }

  record(event: AuditEvent, fields: AuditFields): void {
    if (this.#silent) return;
    const { origin, lambdaRequestId, gatewayRequestId } = current.getStore() ?? NO_INVOCATION;
    const http = origin.source === 'http' ? origin : undefined;
    const metric = COUNTED[event];
    // One object literal, every field named (the closed list holds at run time too: a key smuggled
    // past the types is not written), undefined ones left out by JSON.stringify. Built this way,
    // not with spreads: this runs on every credential request (docs/performance.md).
    const line: Record<string, unknown> = {
      level: 'INFO',
      message: 'audit',
      timestamp: new Date().toISOString(),
      service: this.#service,
      // The event's metric, in the same line (EMF, whose `service` dimension is the key above):
      // counted exactly when the event is recorded.
      _aws: metric && this.#metrics.countingDirective(metric),
      audit: event,
      time: new Date(this.#clock.now()).toISOString(),
      outcome: fields.outcome,
      actor: fields.actor,
      companyId: fields.companyId,
      adminId: fields.adminId,
      tokenIds: fields.tokenIds,
      reason: fields.reason,
      graceSeconds: fields.graceSeconds,
      keyId: fields.keyId,
      source: origin.source,
      clientAddress: http?.clientAddress,
      userAgent: http?.userAgent,
      // The key Powertools gives the Lambda request id in every other line of the function.
      function_request_id: lambdaRequestId,
      gatewayRequestId,
    };
    if (metric) line[metric] = 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
