/**
 * The custom metrics, in CloudWatch's embedded metric format (EMF): JSON lines on stdout that
 * CloudWatch Logs turns into metrics, so counting costs no API call and no DynamoDB call.
 * docs/operations.md ("Metrics") lists them with their namespace and dimensions.
 *
 * Written by hand, not with Powertools Metrics: the library added 10 KiB to every bundle (the Joi
 * functions past their 600 KiB budget) and ~0.1× of the floor to the authorizer's cold start, for
 * what is one JSON.stringify per invocation here (docs/performance.md). The lines are the ones
 * Powertools writes.
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
 * line at its end, plus `ColdStart` (dimensions `service`, `function_name`) on the first
 * invocation of an on-demand container. A container runs one invocation at a time, so an
 * invocation's line holds its own counts only.
 */
export class ApiMetrics {
  readonly #namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE;
  readonly #service: string;
  readonly #silent: boolean;
  readonly #counts = new Map<MetricName, number>();
  // Provisioned and SnapStart containers start before any request: their first one is not a cold start.
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand';

  constructor(options: MetricsOptions) {
    this.#service = options.serviceName;
    this.#silent = options.silent ?? false;
  }

  count(name: MetricName): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** At the end of every invocation, whatever its outcome. */
  flush(functionName: string | undefined): void {
    const coldStart = this.#coldStart;
    this.#coldStart = false;
    if (!this.#silent) {
      if (coldStart) {
        const dimensions: Record<string, string> = { service: this.#service, ...(functionName && { function_name: functionName }) };
        this.#write(dimensions, [['ColdStart', 1]]);
      }
      if (this.#counts.size > 0) this.#write({ service: this.#service }, [...this.#counts]);
    }
    this.#counts.clear();
  }

  #write(dimensions: Record<string, string>, metrics: [string, number][]): void {
    const line = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{
          Namespace: this.#namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: metrics.map(([Name]) => ({ Name, Unit: 'Count' })),
        }],
      },
      ...dimensions,
      ...Object.fromEntries(metrics),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
