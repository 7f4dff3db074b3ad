/**
 * The custom metrics, in CloudWatch's embedded metric format (EMF): JSON keys in log lines that
 * CloudWatch Logs turns into metrics, so counting costs no API call and no DynamoDB call.
 * docs/operations.md ("Metrics") lists them with their namespace and dimensions.
 *
 * Written by hand, not with Powertools Metrics: the library added to every bundle (the Joi
 * functions past their size budget), and it writes a line of its own per invocation, where a
 * credential event's count can ride on its audit line (docs/performance.md). The keys are the
 * ones Powertools writes.
 */
export type MetricName =
  | 'SignInFailed'
  | 'SignInLocked'
  | 'ServiceTokenCreated'
  | 'ServiceTokenRotated'
  | 'ServiceTokenRevoked'
  | 'PasswordReset'
  | 'PasswordResetFailed'
  | 'PasswordRecovered'
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
 * How long the authorizer's counts may wait to be written. It answers every service-level request
 * and writes no line of its own, so a line per request would be most of its warm CPU
 * (docs/performance.md); its counts are written at the end of the first invocation
 * at least this long after the previous write. What a container counted in its last such interval
 * is lost if Lambda retires it before another invocation.
 */
export const BATCH_MS = 10_000;

/** The EMF directive of one line: which of its keys are metrics, in which namespace, by which dimensions. */
function directive(namespace: string, dimensions: string[], names: string[]) {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dimensions], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) }],
    },
  };
}

/**
 * One per container. A credential event's metric rides on its audit line (`countingDirective`): one line for
 * both, written when the event happens. The authorizer's counts accumulate and `flush()` writes
 * them as one line at the end of an invocation, at most every BATCH_MS; the first invocation of an
 * on-demand container also writes `ColdStart` (dimensions `service`, `function_name`).
 */
export class ApiMetrics {
  readonly #namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE;
  readonly #service: string;
  readonly #silent: boolean;
  readonly #batchMs: number;
  readonly #counts = new Map<MetricName, number>();
  /** The (constant) `CloudWatchMetrics` part of a line that counts one event, per metric. */
  readonly #oneCount = new Map<MetricName, unknown>();
  #written = -Infinity;
  // Provisioned and SnapStart containers start before any request: their first one is not a cold start.
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand';

  constructor(options: MetricsOptions & { readonly batchMs?: number }) {
    this.#service = options.serviceName;
    this.#silent = options.silent ?? false;
    this.#batchMs = options.batchMs ?? BATCH_MS;
  }

  /**
   * The `_aws` value that makes a log line count `name` once, with the `service` dimension: for a
   * line that carries `"service": <serviceName>` and `"<name>": 1` already, as the audit trail's
   * lines do.
   */
  countingDirective(name: MetricName): { Timestamp: number; CloudWatchMetrics: unknown } {
    let metrics = this.#oneCount.get(name);
    if (!metrics) {
      metrics = directive(this.#namespace, ['service'], [name])._aws.CloudWatchMetrics;
      this.#oneCount.set(name, metrics);
    }
    return { Timestamp: Date.now(), CloudWatchMetrics: metrics };
  }

  count(name: MetricName): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** At the end of every invocation, whatever its outcome. */
  flush(functionName: string | undefined): void {
    if (this.#silent) {
      this.#counts.clear();
      return;
    }
    if (this.#coldStart) {
      this.#coldStart = false;
      const dimensions: Record<string, string> = { service: this.#service, ...(functionName && { function_name: functionName }) };
      this.#write(dimensions, [['ColdStart', 1]]);
    }
    const now = Date.now();
    if (this.#counts.size === 0 || now - this.#written < this.#batchMs) return;
    this.#written = now;
    this.#write({ service: this.#service }, [...this.#counts]);
    this.#counts.clear();
  }

  #write(dimensions: Record<string, string>, metrics: [string, number][]): void {
    const line = { ...directive(this.#namespace, Object.keys(dimensions), metrics.map(([name]) => name)), ...dimensions, ...Object.fromEntries(metrics) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
