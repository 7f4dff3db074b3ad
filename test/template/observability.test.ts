import {
  CUSTOM_PARAMS,
  effectiveTemplate,
  FUNCTIONS,
  functionLogicalId,
  list,
  loadTemplate,
  LOG_RETENTION_DAYS,
  resource,
  resourcesOfType,
  type Resource,
  type Template,
} from './template.ts';

/* The HTTP API's access log and the alarms (docs/operations.md, "Access log" and "Alarms"). */

const prod: Template = effectiveTemplate(loadTemplate('prod'));
const custom: Template = effectiveTemplate(loadTemplate('custom'));

describe('the HTTP API access log', () => {
  const settings = () => resource(prod, 'HttpApiStage').Properties?.AccessLogSettings;

  it('goes to its own log group, kept as long as the functions\' logs, created before the stage', () => {
    expect(settings().DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(resource(prod, 'HttpApiLogGroup').Properties).toMatchObject({
      LogGroupName: '/aws/http-api/databrain-admin-api-prod',
      RetentionInDays: LOG_RETENTION_DAYS,
    });
    expect(list(resource(prod, 'HttpApiStage').DependsOn)).toContain('HttpApiLogGroup');
  });

  it('is one JSON object per request: request id, client address, route, status, latency, integration and authorizer errors', () => {
    const format = JSON.parse(settings().Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
    });
    // Only $context variables: no header, query string or body (where credentials travel).
    for (const [field, value] of Object.entries(format)) {
      expect({ field, value }).toEqual({ field, value: expect.stringMatching(/^\$context\.[A-Za-z.]+$/) });
    }
  });
});

describe('alarms', () => {
  const alarms = (template: Template) => resourcesOfType(template, 'AWS::CloudWatch::Alarm');
  const alarm = (id: string): Resource['Properties'] => resource(prod, id).Properties;
  const topic = { Ref: 'AlarmTopic' };

  it('all notify the alarm topic, on alarm and on recovery, and treat no data as fine', () => {
    expect(alarms(prod).length).toBeGreaterThan(0);
    for (const [id, { Properties }] of alarms(prod)) {
      expect({ id, AlarmActions: Properties?.AlarmActions, OKActions: Properties?.OKActions, missing: Properties?.TreatMissingData })
        .toEqual({ id, AlarmActions: [topic], OKActions: [topic], missing: 'notBreaching' });
      expect({ id, docs: Properties?.AlarmDescription }).toEqual({ id, docs: expect.stringContaining('docs/operations.md') });
    }
  });

  it('e-mail an address only when `alarmEmail` is set (the topic exists either way)', () => {
    expect(resourcesOfType(prod, 'AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(resourcesOfType(prod, 'AWS::SNS::Subscription')).toEqual([]);
    expect(resourcesOfType(custom, 'AWS::SNS::Subscription').map(([, s]) => s.Properties)).toEqual([
      { TopicArn: topic, Protocol: 'email', Endpoint: CUSTOM_PARAMS.alarmEmail },
    ]);
  });

  it('fire on any 5xx of the HTTP API stage', () => {
    expect(alarm('ApiServerErrorsAlarm')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }, { Name: 'Stage', Value: '$default' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it.each(Object.keys(FUNCTIONS))('fire on any error or throttle of %s', (fn) => {
    const id = functionLogicalId(fn).replace(/LambdaFunction$/, '');
    for (const metric of ['Errors', 'Throttles']) {
      expect(alarm(`${id}${metric}Alarm`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(fn) } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('fire on a lock-out spike, counted from the sign-in function\'s log by a metric filter', () => {
    const filters = resourcesOfType(prod, 'AWS::Logs::MetricFilter');
    expect(filters.map(([id]) => id)).toEqual(['SignInLockedOutMetricFilter']);
    const filter = filters[0]![1].Properties!;
    expect(filter.LogGroupName).toEqual({ Ref: 'CreateAdminJwtLogGroup' });
    const [transformation] = filter.MetricTransformations;
    expect(alarm('SignInLockOutSpikeAlarm')).toMatchObject({
      Namespace: transformation.MetricNamespace,
      MetricName: transformation.MetricName,
      Statistic: 'Sum',
      Threshold: 20,
      Period: 300,
    });
    // item-access.test.ts checks the filter pattern against the line sign-in really logs.
  });

  it('fire on every recovery of admin access, counted from the audit line\'s own metric (EMF, dimension service)', () => {
    expect(alarm('AdminAccessRecoveredAlarm')).toMatchObject({
      Namespace: 'databrain-admin-api/prod',
      MetricName: 'PasswordRecovered',
      Dimensions: [{ Name: 'service', Value: 'databrain-admin-api' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    // The same namespace and dimension value the function writes the metric under.
    const variables = resource(prod, functionLogicalId('recoverAdminAccess')).Properties?.Environment?.Variables;
    expect(variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'databrain-admin-api/prod', POWERTOOLS_SERVICE_NAME: 'databrain-admin-api' });
    // test/integration/recovery.test.ts checks the audit line carries PasswordRecovered with dimension `service`.
  });

  it.each(['ThrottledRequests', 'SystemErrors'])('fire on any DynamoDB %s, over every operation a role may call', (metric) => {
    const [id] = alarms(prod).find(([, a]) => a.Properties?.Metrics?.some((m: any) => m.MetricStat?.Metric.MetricName === metric))!;
    const { Metrics, Threshold } = alarm(id)!;
    expect(Threshold).toBe(1);
    expect(Metrics[0]).toMatchObject({ Expression: 'SUM(METRICS())' });
    const operations = Metrics.slice(1).map((m: any) => {
      expect(m.MetricStat.Metric.Namespace).toBe('AWS/DynamoDB');
      expect(m.MetricStat.Metric.Dimensions[0]).toEqual({ Name: 'TableName', Value: 'databrain-admin-api-prod' });
      expect(m.ReturnData).toBe(false);
      return m.MetricStat.Metric.Dimensions[1].Value as string;
    });
    // Whatever the roles allow on the table, the alarm watches.
    const allowed = new Set(
      resourcesOfType(prod, 'AWS::IAM::Role')
        .flatMap(([, role]) => role.Properties?.Policies.flatMap((p: any) => p.PolicyDocument.Statement))
        .flatMap((s: any) => list<string>(s.Action))
        .filter((a) => a.startsWith('dynamodb:'))
        .map((a) => a.slice('dynamodb:'.length)),
    );
    expect(operations.sort()).toEqual([...allowed].sort());
  });
});
