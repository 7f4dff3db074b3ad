import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The custom metrics, in CloudWatch's embedded metric format (EMF): JSON lines on stdout that
 * CloudWatch Logs turns into metrics, so counting costs no API call and no DynamoDB call.
 * docs/operations.md ("Metrics") lists them with their namespace and dimensions.
 */
export type MetricName =
  | 'SignInFailed'
  | 'SignInLocked'
  | 'ServiceTokenCreated'
  | 'ServiceTokenRotated'
  | 'ServiceTokenRevoked'
  | 'PasswordReset'
  | 'PasswordResetFailed'
  | 'AuthorizerAllow'
  | 'AuthorizerDeny'
  | 'AuthorizerError';

/**
 * Used when POWERTOOLS_METRICS_NAMESPACE is unset. serverless.yml sets it to
 * `databrain-admin-api/<stage>`, so that two stages in one account never add up in one metric.
 */
export const DEFAULT_NAMESPACE = 'databrain-admin-api';

export interface MetricsOptions {
  readonly serviceName: string;
  /** Nothing is written (the log level is SILENT): counts are dropped at each flush. */
  readonly silent?: boolean;
}

/**
 * One per container. Counts accumulate during an invocation and `flush()` writes them as one EMF
 * line at its end, plus `ColdStart` (dimension `function_name`) on the container's first invocation.
 * A container runs one invocation at a time, so an invocation's line holds its own counts only.
 */
export class ApiMetrics {
  readonly #metrics: Metrics;
  readonly #silent: boolean;

  constructor(options: MetricsOptions) {
    this.#metrics = new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE,
      serviceName: options.serviceName,
    });
    this.#silent = options.silent ?? false;
  }

  count(name: MetricName): void {
    this.#metrics.addMetric(name, MetricUnit.Count, 1);
  }

  /** At the end of every invocation, whatever its outcome. */
  flush(functionName: string | undefined): void {
    if (this.#silent) {
      this.#metrics.clearMetrics();
      return;
    }
    // Only the first call per container writes it (Powertools tracks the cold start).
    this.#metrics.captureColdStartMetric(functionName);
    // Not unconditionally: with nothing stored, Powertools warns on every call.
    if (this.#metrics.hasStoredMetrics()) this.#metrics.publishStoredMetrics();
  }
}
