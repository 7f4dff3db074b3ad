import { BOUNDED_CALLS } from '../../lib/aws/dynamodb.ts';
import { readServerlessConfig } from '../../scripts/serverless-config.ts';
import {
  CUSTOM_PARAMS,
  effectiveTemplate,
  FUNCTIONS,
  functionLogicalId,
  list,
  loadTemplate,
  LOG_RETENTION_DAYS,
  logGroupLogicalId,
  resource,
  resourcesOfType,
  TIMEOUT_SECONDS,
  type Template,
} from './template.ts';

const template: Template = loadTemplate('prod');

describe.each(Object.entries(FUNCTIONS))('function %s', (fn, expected) => {
  const properties = () => resource(template, functionLogicalId(fn)).Properties ?? {};

  it('runs Node.js 24 on arm64', () => {
    expect(properties().Runtime).toBe('nodejs24.x');
    expect(properties().Architectures).toEqual(['arm64']);
  });

  it(`has ${expected.memorySize} MB and a ${TIMEOUT_SECONDS} s timeout`, () => {
    expect(properties().MemorySize).toBe(expected.memorySize);
    expect(properties().Timeout).toBe(TIMEOUT_SECONDS);
  });

  it(expected.argon2id ? 'runs argon2id with one malloc arena (MALLOC_ARENA_MAX=1)' : 'leaves malloc as it is', () => {
    // glibc reads it at process start: the function's environment is the only place to set it.
    expect(properties().Environment?.Variables?.MALLOC_ARENA_MAX).toBe(expected.argon2id ? '1' : undefined);
  });

  it(`logs to its own log group, kept ${LOG_RETENTION_DAYS} days, created before it`, () => {
    const logGroup = resource(template, logGroupLogicalId(fn));
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.LogGroupName).toBe(`/aws/lambda/${properties().FunctionName}`);
    expect(logGroup.Properties?.RetentionInDays).toBe(LOG_RETENTION_DAYS);
    expect(list(resource(template, functionLogicalId(fn)).DependsOn)).toContain(logGroupLogicalId(fn));
  });
});

describe('the stack', () => {
  it('gives every log group a retention period', () => {
    for (const [id, logGroup] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
      expect({ id, days: logGroup.Properties?.RetentionInDays }).toEqual({ id, days: LOG_RETENTION_DAYS });
    }
  });

  // Both AWS clients (DynamoDB in lib/aws/dynamodb.ts, Secrets Manager in lib/aws/secrets-manager.ts and secret-rotation.ts) take BOUNDED_CALLS.
  it('sizes the timeout above a failing AWS call: attempts x (connect + request)', () => {
    // requestTimeout includes the connect, so the real bound is lower (~6.2 s with back-off).
    const { maxAttempts, requestHandler } = BOUNDED_CALLS;
    const worstMs = maxAttempts * (requestHandler.connectionTimeout + requestHandler.requestTimeout);
    expect(worstMs).toBeGreaterThan(0);
    expect(worstMs).toBeLessThan(TIMEOUT_SECONDS * 1000);
  });
});

describe('the HTTP API', () => {
  const stage = () => resource(template, 'HttpApiStage');
  const routeKeys = () => resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([id, route]) => [id, route.Properties?.RouteKey as string] as const);

  it('throttles every route by default', () => {
    expect(stage().Properties?.StageName).toBe('$default');
    const { ThrottlingRateLimit, ThrottlingBurstLimit } = stage().Properties?.DefaultRouteSettings ?? {};
    expect(ThrottlingRateLimit).toBe(50);
    expect(ThrottlingBurstLimit).toBe(100);
  });

  it('throttles the routes that may run argon2id harder, and only existing routes, created before the stage', () => {
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = stage().Properties?.RouteSettings ?? {};
    expect(Object.keys(routeSettings).sort()).toEqual([
      'POST /api/v2/admin-account',
      'POST /api/v2/admin-account/jwt',
      'POST /api/v2/service-token/reset-password',
    ]);
    const defaults = stage().Properties?.DefaultRouteSettings;
    for (const [routeKey, settings] of Object.entries(routeSettings)) {
      expect(settings.ThrottlingRateLimit).toBeLessThan(defaults.ThrottlingRateLimit);
      expect(settings.ThrottlingBurstLimit).toBeLessThan(defaults.ThrottlingBurstLimit);
      // A route setting for a route that does not exist (yet) fails the deployment.
      const route = routeKeys().find(([, key]) => key === routeKey);
      expect({ routeKey, route: route?.[0] }).toEqual({ routeKey, route: expect.any(String) });
      expect(list(stage().DependsOn)).toContain(route![0]);
    }
  });

  it('has a request authorizer without result caching (a cached allow would outlive a revocation)', () => {
    const authorizers = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]![1].Properties).toMatchObject({ AuthorizerType: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
  });
});

describe('the stack outputs', () => {
  const outputs = () => template.Outputs ?? {};

  it('include the API URL', () => {
    expect(JSON.stringify(outputs().HttpApiUrl?.Value)).toContain('{"Ref":"HttpApi"}');
  });

  it('include every function name', () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const name = `${fn[0]!.toUpperCase()}${fn.slice(1)}FunctionName`;
      expect({ name, value: outputs()[name]?.Value }).toEqual({ name, value: { Ref: functionLogicalId(fn) } });
    }
  });

  it('include the admin console\'s URL: on the custom domain when there is one, else on the execute-api endpoint', () => {
    expect(effectiveTemplate(template).Outputs?.ConsoleUrl?.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }, '/console']] });
    expect(effectiveTemplate(loadTemplate('custom')).Outputs?.ConsoleUrl?.Value).toBe(`https://${CUSTOM_PARAMS.domainName}/console`);
  });

  it('include the table name', () => {
    expect(outputs().AdminTableName?.Value).toBe('databrain-admin-api-prod');
  });
});

describe.each(Object.entries(FUNCTIONS).filter(([, e]) => e.operatorOnly).map(([fn]) => fn))('%s, the operator\'s function', (fn) => {
  const id = functionLogicalId(fn);
  /** Every resource of the template that names the function anywhere in its definition. */
  // Its own published versions (the framework's AWS::Lambda::Version) aside: invoking one takes the same IAM permission.
  const referrers = () => Object.entries(template.Resources)
    .filter(([other, r]) => other !== id && r.Type !== 'AWS::Lambda::Version' && JSON.stringify(r).includes(`"${id}"`))
    .map(([other]) => other);

  it('is reached by no HTTP API route, integration, authorizer or invoke permission: only its alarms name it', () => {
    const alarmPrefix = id.replace(/LambdaFunction$/, '');
    expect(referrers().sort()).toEqual([`${alarmPrefix}ErrorsAlarm`, `${alarmPrefix}ThrottlesAlarm`]);
    for (const type of ['AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer', 'AWS::Lambda::Permission']) {
      expect({ type, naming: resourcesOfType(template, type).filter(([, r]) => JSON.stringify(r).includes(`"${id}"`)).map(([other]) => other) })
        .toEqual({ type, naming: [] });
    }
  });

  it('has no event in serverless.yml (the control: every other API function has one)', () => {
    const { functions } = readServerlessConfig();
    expect(functions[fn]?.events).toBeUndefined();
    expect(functions.createAdminAccount?.events?.length).toBeGreaterThan(0);
    // The control of the check above: a routed function is named by its integration and permission.
    const routed = functionLogicalId('createAdminAccount');
    const routedReferrers = Object.entries(template.Resources).filter(([, r]) => JSON.stringify(r).includes(`"${routed}"`)).map(([, r]) => r.Type);
    expect(routedReferrers).toEqual(expect.arrayContaining(['AWS::ApiGatewayV2::Integration', 'AWS::Lambda::Permission']));
  });
});
