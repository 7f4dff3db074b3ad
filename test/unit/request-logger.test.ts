// The functions' log lines carry their own invocation's Lambda request id, cold-start flag, gateway
// request id and source, though the pipeline applies them only when an invocation writes a line.
import type { Context } from 'aws-lambda';
import { lambda } from '../../lib/http/pipeline.lean.ts';
import { json } from '../../lib/http/response.ts';
import { InvalidRequestBody } from '../../lib/errors.ts';
import { ApiMetrics } from '../../lib/observability/metrics.ts';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { lambdaContext } from '../support/wiring.ts';
import { captureOutput } from '../support/proof.ts';

type Step = 'quiet' | 'warn' | 'fail';

/** A function whose invocations succeed quietly, warn halfway, or fail with a 400. */
function fn(logLevel: 'INFO' | 'DEBUG' = 'INFO') {
  const logger = new RequestLogger({ serviceName: 'databrain-admin-api', logLevel });
  const runtime = { config: { selfHosted: true }, logger, metrics: new ApiMetrics({ serviceName: 'databrain-admin-api', silent: true }) };
  let step: Step = 'quiet';
  const handler = lambda(runtime, async () => {
    if (step === 'warn') logger.warn('halfway');
    if (step === 'fail') throw new InvalidRequestBody('"x" is required');
    return json(200, {});
  });
  return async (next: Step, event: unknown, context?: Context) => {
    step = next;
    const { output } = await captureOutput(() => handler(event, context));
    return output.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };
}

const httpEvent = (gatewayRequestId: string) => ({
  version: '2.0',
  headers: {},
  requestContext: { requestId: gatewayRequestId, http: { sourceIp: '203.0.113.7', userAgent: 'curl/8' } },
});

describe('log lines of an invocation', () => {
  const saved = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  beforeAll(() => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = saved;
  });

  it('a quiet success writes nothing at INFO; a later line carries its own invocation, not a cold start', async () => {
    const invoke = fn();
    expect(await invoke('quiet', httpEvent('gw-1'), lambdaContext('req-1'))).toStrictEqual([]);
    const lines = await invoke('warn', httpEvent('gw-2'), lambdaContext('req-2'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'WARN', message: 'halfway', function_request_id: 'req-2', gatewayRequestId: 'gw-2', source: 'http-api', cold_start: false,
    });
  });

  it('the first invocation of a container says cold start, whichever of its lines comes first', async () => {
    const invoke = fn();
    const lines = await invoke('fail', httpEvent('gw-1'), lambdaContext('req-1'));
    expect(lines.map((l) => [l.message, l.statusCode, l.function_request_id, l.cold_start])).toStrictEqual([
      ['request completed', 400, 'req-1', true],
    ]);
    const later = await invoke('fail', httpEvent('gw-2'), lambdaContext('req-2'));
    expect(later[0]).toMatchObject({ function_request_id: 'req-2', cold_start: false });
  });

  it('every line of an invocation carries its keys, and none carries those of the invocation before', async () => {
    const invoke = fn();
    const first = await invoke('warn', httpEvent('gw-1'), lambdaContext('req-1'));
    expect(first[0]).toMatchObject({ gatewayRequestId: 'gw-1', source: 'http-api' });
    const direct = await invoke('fail', { headers: {} }, lambdaContext('req-2'));
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({ function_request_id: 'req-2', source: 'direct', statusCode: 400 });
    expect(direct[0]).not.toHaveProperty('gatewayRequestId');
    const both = await invoke('warn', httpEvent('gw-3'), lambdaContext('req-3'));
    expect(both.map((l) => [l.message, l.function_request_id, l.gatewayRequestId])).toStrictEqual([['halfway', 'req-3', 'gw-3']]);
  });

  it('at DEBUG a success writes its line, with its keys', async () => {
    const invoke = fn('DEBUG');
    const lines = await invoke('quiet', httpEvent('gw-1'), lambdaContext('req-1'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'DEBUG', message: 'request completed', statusCode: 200, function_request_id: 'req-1', gatewayRequestId: 'gw-1' });
  });
});

describe('the logger itself', () => {
  it('can be built with options Powertools warns about while it is being constructed', async () => {
    // Powertools writes that warning from inside its own constructor, before a subclass's fields exist.
    const options = { serviceName: 'databrain-admin-api', persistentKeys: { a: 1 }, persistentLogAttributes: { b: 2 } };
    const { result, output } = await captureOutput(async () => new RequestLogger(options as unknown as ConstructorParameters<typeof RequestLogger>[0]));
    expect(result).toBeInstanceOf(RequestLogger);
    expect(output).toContain('"level":"WARN"');
  });
});
