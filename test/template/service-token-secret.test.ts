import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_GRACE_SECONDS } from '../../lib/service-token/bodies.ts';
import { MAX_GRACE_HOURS, MIN_GRACE_HOURS, UNPUBLISHED } from '../../lib/service-token/published-rotation.ts';
import { checkIamPolicies, checkTemplate, loadCloudFormationSpec } from './aws-spec.ts';
import { PUBLISHED_TOKEN_DIR } from './package-setup.ts';
import { AUDITED_FUNCTIONS, FUNCTIONS, functionLogicalId, loadTemplate, logGroupLogicalId, resource, type Statement, type Template } from './template.ts';

/*
 * The published service token (stage parameter serviceTokenSecret, docs/token-management.md): packaged
 * with `--param serviceTokenSecret=true` (package-setup.ts), the stack gains the secret, its
 * rotation function, schedule, invoke permission and role, and nothing else; the default
 * templates have none of it.
 */

type WithParameters = Template & { Parameters?: Record<string, Record<string, unknown>> };

const prod = loadTemplate('prod') as WithParameters;
const dev = loadTemplate('dev') as WithParameters;
const published = JSON.parse(
  readFileSync(join(process.env.TEMPLATE_DEV_DIR!, PUBLISHED_TOKEN_DIR, 'cloudformation-template-update-stack.json'), 'utf8'),
) as WithParameters;

const ADDED = [
  'RotateServiceTokenSecretErrorsAlarm',
  'RotateServiceTokenSecretLambdaFunction',
  'RotateServiceTokenSecretLogGroup',
  'RotateServiceTokenSecretPermission',
  'RotateServiceTokenSecretRole',
  'RotateServiceTokenSecretThrottlesAlarm',
  'ServiceTokenSecret',
  'ServiceTokenSecretRotationSchedule',
];
/** The functions that create, rotate and revoke tokens: they are told the token is published. */
const MANAGING = ['createServiceToken', 'revokeServiceToken', 'rotateServiceToken'];

const withoutVersions = (ids: string[]) => ids.filter((id) => !/LambdaVersion/.test(id));
const environmentOf = (template: Template, fn: string): Record<string, unknown> =>
  resource(template, functionLogicalId(fn)).Properties?.Environment?.Variables ?? {};
const mentionsPublishedToken = (value: unknown): boolean => /ServiceTokenSecret|SERVICE_TOKEN_SECRET|ServiceTokenGrace|ServiceTokenRotation/.test(JSON.stringify(value));

describe('the default templates', () => {
  it.each([['prod', prod], ['dev', dev]] as const)('%s: have no published service token at all (no resource, parameter, variable or output mentions it)', (_, template) => {
    expect(mentionsPublishedToken(template)).toBe(false);
    expect(Object.keys(template.Resources).filter((id) => ADDED.includes(id))).toEqual([]);
  });
});

describe('the template with --param serviceTokenSecret=true', () => {
  it('adds the secret, its rotation function, log group, schedule, permission, role and alarms, and no other resource', () => {
    const before = new Set(withoutVersions(Object.keys(dev.Resources)));
    const added = withoutVersions(Object.keys(published.Resources)).filter((id) => !before.has(id)).sort();
    expect(added).toEqual(ADDED);
    expect(withoutVersions(Object.keys(dev.Resources)).filter((id) => !published.Resources[id])).toEqual([]);
  });

  it('creates the secret holding a value that is plainly not a token, until the first rotation', () => {
    expect(resource(published, 'ServiceTokenSecret').Properties).toEqual({
      Description: 'databrain-admin-api-dev service token, published for its consumers and rotated by the stack',
      SecretString: UNPUBLISHED,
      Tags: [{ Key: 'service', Value: 'databrain-admin-api' }, { Key: 'stage', Value: 'dev' }],
    });
  });

  it('rotates it with the stack\'s function every ServiceTokenRotationDays (30 by default), not at deployment', () => {
    const schedule = resource(published, 'ServiceTokenSecretRotationSchedule');
    expect(schedule.Properties).toEqual({
      SecretId: { Ref: 'ServiceTokenSecret' },
      RotationLambdaARN: { 'Fn::GetAtt': ['RotateServiceTokenSecretLambdaFunction', 'Arn'] },
      RotateImmediatelyOnUpdate: false,
      RotationRules: { AutomaticallyAfterDays: { Ref: 'ServiceTokenRotationDays' } },
    });
    // Secrets Manager checks at creation that it may invoke the function.
    expect(schedule.DependsOn).toEqual(['RotateServiceTokenSecretPermission']);
    expect(published.Parameters?.ServiceTokenRotationDays).toMatchObject({ Type: 'Number', Default: 30, MinValue: 1, MaxValue: 1000 });
  });

  it('gives the rotation function the grace period as a parameter: 24 hours by default, at most the 7 days a rotation allows', () => {
    expect(published.Parameters?.ServiceTokenGraceHours).toMatchObject({ Type: 'Number', Default: 24, MinValue: MIN_GRACE_HOURS, MaxValue: MAX_GRACE_HOURS });
    expect(MAX_GRACE_HOURS * 3600).toBe(MAX_GRACE_SECONDS);
    const fn = resource(published, 'RotateServiceTokenSecretLambdaFunction').Properties!;
    expect(fn.Handler).toBe('handlers/rotateServiceTokenSecret.handler');
    expect(fn.Role).toEqual({ 'Fn::GetAtt': ['RotateServiceTokenSecretRole', 'Arn'] });
    expect(environmentOf(published, 'rotateServiceTokenSecret')).toMatchObject({
      TABLE_NAME: 'databrain-admin-api-dev',
      SERVICE_TOKEN_GRACE_HOURS: { Ref: 'ServiceTokenGraceHours' },
    });
  });

  it('lets Secrets Manager invoke the rotation function, for this account\'s secret only', () => {
    expect(resource(published, 'RotateServiceTokenSecretPermission').Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': ['RotateServiceTokenSecretLambdaFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { Ref: 'ServiceTokenSecret' },
    });
  });

  it('gives the rotation function a role of its own: its log group, the four rotation calls on the secret, the table reads and updates of its steps', () => {
    const role = resource(published, 'RotateServiceTokenSecretRole').Properties!;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['RotateServiceTokenSecretLogGroup', 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: { Ref: 'ServiceTokenSecret' },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'dynamodb', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, 'table/databrain-admin-api-dev']] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ACCOUNT'] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
      },
    ]);
  });

  it('tells the create, rotate and revoke functions the secret\'s ARN (so they refuse to change the published token), and no other function', () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const variable = environmentOf(published, fn).SERVICE_TOKEN_SECRET_ARN;
      expect({ fn, variable }).toEqual({ fn, variable: MANAGING.includes(fn) ? { Ref: 'ServiceTokenSecret' } : undefined });
    }
  });

  it('grants no role but the rotation function\'s anything on the secret', () => {
    const others = Object.entries(published.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id !== 'RotateServiceTokenSecretRole');
    expect(others.filter(([, role]) => mentionsPublishedToken(role)).map(([id]) => id)).toEqual([]);
  });

  it('alarms on any error or throttle of the rotation function, like every other function\'s', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const signingKey = resource(published, `RotateSigningKey${metric}Alarm`).Properties!;
      expect(resource(published, `RotateServiceTokenSecret${metric}Alarm`).Properties).toEqual({
        ...signingKey,
        AlarmName: `databrain-admin-api-dev rotateServiceTokenSecret ${metric.toLowerCase()}`,
        AlarmDescription: expect.stringContaining('docs/operations.md'),
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RotateServiceTokenSecretLambdaFunction' } }],
      });
    }
  });

  it('lists the rotation function\'s log group in the audit trail\'s query, with every other function\'s but the authorizer\'s and the console\'s', () => {
    const query = (template: Template) => resource(template, 'AuditTrailQuery').Properties!;
    const expected = [...AUDITED_FUNCTIONS, 'rotateServiceTokenSecret'].map((fn) => ({ Ref: logGroupLogicalId(fn) }));
    expect([...query(published).LogGroupNames].sort(byRef)).toEqual(expected.sort(byRef));
    // The rest of the query is the stack's.
    expect({ ...query(published), LogGroupNames: [] }).toEqual({ ...query(dev), LogGroupNames: [] });
  });

  it('outputs the secret\'s ARN and the rotation function\'s name', () => {
    expect(published.Outputs?.ServiceTokenSecretArn?.Value).toEqual({ Ref: 'ServiceTokenSecret' });
    expect(published.Outputs?.RotateServiceTokenSecretFunctionName?.Value).toEqual({ Ref: 'RotateServiceTokenSecretLambdaFunction' });
  });

  it('matches the CloudFormation registry schemas and names only IAM actions that exist', async () => {
    expect(checkTemplate(published, loadCloudFormationSpec())).toEqual([]);
    expect(await checkIamPolicies(published)).toEqual([]);
    // Every policy of the stack, checked against the IAM reference: seconds on a busy machine.
  }, 30_000);
});

const byRef = (a: { Ref: string }, b: { Ref: string }) => a.Ref.localeCompare(b.Ref);
