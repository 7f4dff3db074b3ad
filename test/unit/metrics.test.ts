import { jest } from '@jest/globals';
import { ApiMetrics, BATCH_MS } from '../../lib/observability/metrics.ts';

/** What `work` writes to stdout, as JSON lines. */
function linesOf(work: () => void): Record<string, any>[] {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof process.stdout.write;
  try {
    work();
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const emf = (namespace: string, dimensions: Record<string, string>, metrics: Record<string, number>, timestamp: number): Record<string, unknown> => ({
  _aws: {
    Timestamp: timestamp,
    CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })) }],
  },
  ...dimensions,
  ...metrics,
});

describe('the EMF metrics writer', () => {
  const start = Date.UTC(2026, 10, 29, 12);
  const service = { service: 'databrain-admin-api' };
  beforeEach(() => jest.useFakeTimers({ now: start }));
  afterEach(() => {
    jest.useRealTimers();
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  });

  it('writes the cold start once, on an on-demand container\'s first invocation, in the configured namespace', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'databrain-admin-api/prod';
    const metrics = new ApiMetrics({ serviceName: 'databrain-admin-api' });
    expect(linesOf(() => metrics.flush('fn-1'))).toStrictEqual([
      emf('databrain-admin-api/prod', { ...service, function_name: 'fn-1' }, { ColdStart: 1 }, start),
    ]);
    expect(linesOf(() => metrics.flush('fn-1'))).toStrictEqual([]);
  });

  it('counts no cold start in a provisioned container', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'provisioned-concurrency';
    expect(linesOf(() => new ApiMetrics({ serviceName: 'databrain-admin-api' }).flush('fn'))).toStrictEqual([]);
  });

  it(`writes the authorizer's counts at once, then at most every ${BATCH_MS / 1000} s, summed, and loses none it writes`, () => {
    const metrics = new ApiMetrics({ serviceName: 'databrain-admin-api' });
    const invoke = (name: 'AuthorizerAllow' | 'AuthorizerDeny') => linesOf(() => {
      metrics.count(name);
      metrics.flush('fn');
    });
    expect(invoke('AuthorizerAllow')).toStrictEqual([emf('databrain-admin-api', service, { AuthorizerAllow: 1 }, start)]);
    jest.setSystemTime(start + 1_000);
    expect(invoke('AuthorizerAllow')).toStrictEqual([]);
    jest.setSystemTime(start + BATCH_MS - 1);
    expect(invoke('AuthorizerDeny')).toStrictEqual([]);
    jest.setSystemTime(start + BATCH_MS);
    expect(invoke('AuthorizerAllow')).toStrictEqual([emf('databrain-admin-api', service, { AuthorizerAllow: 2, AuthorizerDeny: 1 }, start + BATCH_MS)]);
  });

  it('writes every invocation\'s counts when told not to batch', () => {
    const metrics = new ApiMetrics({ serviceName: 'databrain-admin-api', batchMs: 0 });
    for (let i = 0; i < 3; i++) {
      expect(linesOf(() => { metrics.count('AuthorizerDeny'); metrics.flush('fn'); })).toStrictEqual([emf('databrain-admin-api', service, { AuthorizerDeny: 1 }, start)]);
    }
  });

  it('gives a log line the keys that count one event, for the line\'s own `service`', () => {
    const metrics = new ApiMetrics({ serviceName: 'databrain-admin-api' });
    const { service: _service, ...keys } = emf('databrain-admin-api', service, { SignInLocked: 1 }, start);
    expect({ _aws: metrics.countingDirective('SignInLocked'), SignInLocked: 1 }).toStrictEqual(keys);
  });

  it('writes nothing when silent, and forgets what it counted', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const metrics = new ApiMetrics({ serviceName: 'databrain-admin-api', silent: true });
    expect(linesOf(() => { metrics.count('AuthorizerError'); metrics.flush('fn'); })).toStrictEqual([]);
  });
});
