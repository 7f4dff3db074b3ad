// The audit line's fields are a closed list, at run time too; a counted event carries its metric.
import { AuditLog, withInvocation, type AuditFields } from '../../lib/observability/audit.ts';
import { ApiMetrics } from '../../lib/observability/metrics.ts';
import { captureOutput } from '../support/proof.ts';

const clock = { now: () => Date.parse('2026-11-29T10:00:00.000Z') };
const audit = new AuditLog({ serviceName: 'databrain-admin-api', silent: false, clock, metrics: new ApiMetrics({ serviceName: 'databrain-admin-api' }) });

async function lineOf(work: () => void): Promise<Record<string, unknown>> {
  const { output } = await captureOutput(async () => work());
  const lines = output.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('audit line', () => {
  it('says what happened, who did it, and where the request came from', async () => {
    const invocation = { origin: { source: 'http', clientAddress: '203.0.113.7', userAgent: 'curl/8' } as const, lambdaRequestId: 'req-1', gatewayRequestId: 'gw-1' };
    const line = await lineOf(() => withInvocation(invocation, () =>
      audit.record('service_token.rotated', { outcome: 'success', actor: 'admin:a1', companyId: 'c1', tokenIds: ['st_a', 'st_b'], graceSeconds: 300 })));
    const { timestamp, _aws, ...rest } = line;
    expect(typeof timestamp).toBe('string');
    expect(_aws).toMatchObject({ CloudWatchMetrics: [{ Dimensions: [['service']], Metrics: [{ Name: 'ServiceTokenRotated', Unit: 'Count' }] }] });
    expect(rest).toStrictEqual({
      level: 'INFO', message: 'audit', service: 'databrain-admin-api', audit: 'service_token.rotated', time: '2026-11-29T10:00:00.000Z',
      outcome: 'success', actor: 'admin:a1', companyId: 'c1', tokenIds: ['st_a', 'st_b'], graceSeconds: 300,
      source: 'http', clientAddress: '203.0.113.7', userAgent: 'curl/8', function_request_id: 'req-1', gatewayRequestId: 'gw-1',
      ServiceTokenRotated: 1,
    });
  });

  it('writes no key outside the closed list, whatever a caller passes', async () => {
    const smuggled = { outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', password: 'Str0ng!Passw0rd', token: 'x' } as unknown as AuditFields;
    const line = await lineOf(() => audit.record('signin.failed', smuggled));
    expect(line).not.toHaveProperty('password');
    expect(line).not.toHaveProperty('token');
    expect(line).toMatchObject({ audit: 'signin.failed', reason: 'invalid_credentials', source: 'direct', SignInFailed: 1 });
  });

  it('an event without a metric carries no EMF keys', async () => {
    const line = await lineOf(() => audit.record('account.created', { outcome: 'success', actor: 'anonymous', companyId: 'c1', adminId: 'a1' }));
    expect(line).not.toHaveProperty('_aws');
    expect(line).toMatchObject({ audit: 'account.created', adminId: 'a1' });
  });
});
