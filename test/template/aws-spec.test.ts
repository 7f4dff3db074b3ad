import { checkIamPolicies, checkTemplate, loadCloudFormationSpec, type Finding } from './aws-spec.ts';
import { functionLogicalId, loadTemplate, logGroupLogicalId, resource, resourcesOfType, type Stage, type Template } from './template.ts';

/*
 * The generated templates against AWS's own specifications: the CloudFormation registry schemas
 * and the IAM service reference. Each check is first shown to catch a defect injected into a copy
 * of the prod template, so that "no findings" means something.
 */

const spec = loadCloudFormationSpec();
const templates: Record<Stage, Template> = { prod: loadTemplate('prod'), dev: loadTemplate('dev'), custom: loadTemplate('custom') };

// `custom` is packaged with every per-stage parameter set (custom domain, alarm e-mail, tracing, …).
describe.each(['prod', 'dev', 'custom'] as const)('the %s template', (stage) => {
  it('matches the CloudFormation registry schemas: resource types, properties, shapes, required properties, attributes, references', () => {
    expect(checkTemplate(templates[stage], spec)).toEqual([]);
  });

  it('names only IAM actions, condition operators and condition keys that exist', async () => {
    expect(await checkIamPolicies(templates[stage])).toEqual([]);
  });
});

describe('the checks catch an injected defect', () => {
  const table = 'AdminTable';
  const fn = functionLogicalId('getServiceToken');
  const logGroup = logGroupLogicalId('getServiceToken');
  const roleOf = (template: Template): string => (resource(template, fn).Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  /** A copy of the prod template, changed by `defect`. */
  function withDefect(defect: (template: Template) => void): Template {
    const copy = structuredClone(templates.prod);
    defect(copy);
    return copy;
  }
  const finding = (path: string, message: RegExp): Finding => ({ path, message: expect.stringMatching(message) });

  it.each<[string, (template: Template) => void, Finding]>([
    [
      'an unknown resource type',
      (t) => (resource(t, table).Type = 'AWS::DynamoDB::Tabel'),
      finding(`Resources.${table}.Type`, /^unknown resource type "AWS::DynamoDB::Tabel"$/),
    ],
    [
      'an unknown property',
      (t) => (resource(t, table).Properties!.BilingMode = 'PAY_PER_REQUEST'),
      finding(`Resources.${table}.Properties.BilingMode`, /^unknown property BilingMode$/),
    ],
    [
      'an unknown property in a nested type, in the wrong case',
      (t) => (resource(t, table).Properties!.PointInTimeRecoverySpecification = { PointInTimeRecoveryenabled: true }),
      finding(`Resources.${table}.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryenabled`, /did you mean PointInTimeRecoveryEnabled\?/),
    ],
    [
      'a string where a list is expected',
      (t) => (resource(t, fn).Properties!.Architectures = 'arm64'),
      finding(`Resources.${fn}.Properties.Architectures`, /^expected list<string>, found "arm64"$/),
    ],
    [
      'a list where an object is expected',
      (t) => (resource(t, fn).Properties!.Environment = [{ Variables: {} }]),
      finding(`Resources.${fn}.Properties.Environment`, /^expected Environment \(an object\), found \[/),
    ],
    [
      'a word where a number is expected',
      (t) => (resource(t, fn).Properties!.MemorySize = 'a lot'),
      finding(`Resources.${fn}.Properties.MemorySize`, /^expected integer, found "a lot"$/),
    ],
    [
      'a value outside the allowed ones',
      (t) => (resource(t, logGroup).Properties!.RetentionInDays = 31),
      finding(`Resources.${logGroup}.Properties.RetentionInDays`, /^31 is not one of the allowed values 1, 3, 5, 7, 14, 30, 60, /),
    ],
    [
      'a missing required property',
      (t) => delete resource(t, table).Properties!.KeySchema,
      finding(`Resources.${table}.Properties`, /^missing required property KeySchema$/),
    ],
    [
      'a missing required property of a nested type',
      (t) => delete resource(t, table).Properties!.AttributeDefinitions[0].AttributeType,
      finding(`Resources.${table}.Properties.AttributeDefinitions[0]`, /^missing required property AttributeType$/),
    ],
    [
      'a Fn::GetAtt of an attribute the resource does not have',
      (t) => (resource(t, fn).Properties!.Role = { 'Fn::GetAtt': [roleOf(t), 'RoleArn'] }),
      finding(`Resources.${fn}.Properties.Role.Fn::GetAtt`, /AWS::IAM::Role has no attribute RoleArn \(it has: Arn, RoleId\)$/),
    ],
    [
      'an Fn::Sub reading an attribute the resource does not have',
      (t) => (resource(t, fn).Properties!.Environment.Variables.TABLE_ARN = { 'Fn::Sub': `\${${table}.TableArn}` }),
      finding(`Resources.${fn}.Properties.Environment.Variables.TABLE_ARN.Fn::Sub`, /AWS::DynamoDB::Table has no attribute TableArn/),
    ],
    [
      'a Ref to nothing',
      (t) => (resource(t, fn).Properties!.Environment.Variables.TABLE_NAME = { Ref: 'AdminTabel' }),
      finding(`Resources.${fn}.Properties.Environment.Variables.TABLE_NAME.Ref`, /^Ref to AdminTabel, which is neither/),
    ],
    [
      'a misspelled resource attribute',
      (t) => Object.assign(resource(t, table), { DeletionPolicyy: 'Retain' }),
      finding(`Resources.${table}.DeletionPolicyy`, /^unknown resource attribute DeletionPolicyy$/),
    ],
    [
      'a DeletionPolicy chosen by a function, without the transform that allows it',
      (t) => {
        Object.assign(t, { Conditions: { ...t.Conditions, InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } } });
        Object.assign(resource(t, table), { DeletionPolicy: { 'Fn::If': ['InUsEast1', 'Retain', 'Delete'] } });
      },
      finding(`Resources.${table}.DeletionPolicy`, /^an intrinsic function in DeletionPolicy needs the transform AWS::LanguageExtensions$/),
    ],
    [
      'a parameter whose default is not one of its allowed values',
      (t) => Object.assign(t, { Parameters: { ...(t as { Parameters?: object }).Parameters, LogLevel: { Type: 'String', Default: 'info', AllowedValues: ['DEBUG', 'INFO', 'WARN', 'ERROR'] } } }),
      finding('Parameters.LogLevel.Default', /^the default "info" is not one of AllowedValues$/),
    ],
    [
      'a Ref (a string) where a list is expected',
      (t) => (resource(t, fn).Properties!.Architectures = { Ref: 'AWS::Region' }),
      finding(`Resources.${fn}.Properties.Architectures`, /^Ref gives a string, expected list<string>$/),
    ],
  ])('%s', (_defect, defect, expected) => {
    expect(checkTemplate(withDefect(defect), spec)).toEqual([expected]);
  });

  /** Adds `statement` to the first inline policy of the function's role; returns where it went. */
  const addStatement = (t: Template, statement: object): string => {
    const role = roleOf(t);
    const statements = resource(t, role).Properties!.Policies[0].PolicyDocument.Statement as object[];
    statements.push(statement);
    return `Resources.${role}.Properties.Policies[0].PolicyDocument.Statement[${statements.length - 1}]`;
  };

  it.each<[string, object, string, RegExp]>([
    ['a misspelled action', { Action: ['dynamodb:GetItems'] }, '.Action[0]', /^IAM action dynamodb:GetItems is not an action of dynamodb$/],
    ['a wildcard that matches no action', { Action: 'dynamodb:Get*Items' }, '.Action', /^IAM action dynamodb:Get\*Items matches no action of dynamodb$/],
    ['an unknown service', { NotAction: 'dynamo:GetItem' }, '.NotAction', /^IAM action dynamo:GetItem: there is no IAM service dynamo$/],
    [
      'an unknown condition key',
      { Action: 'dynamodb:GetItem', Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKey': ['ACCOUNT'] } } },
      '.Condition.ForAllValues:StringEquals.dynamodb:LeadingKey',
      /^unknown IAM condition key dynamodb:LeadingKey$/,
    ],
    [
      'an unknown condition operator',
      { Action: 'dynamodb:GetItem', Condition: { StringEqual: { 'dynamodb:LeadingKeys': 'ACCOUNT' } } },
      '.Condition.StringEqual',
      /^unknown IAM condition operator StringEqual$/,
    ],
  ])('%s in a policy', async (_defect, injected, where, message) => {
    let path = '';
    const template = withDefect((t) => (path = addStatement(t, { Effect: 'Allow', Resource: '*', ...injected })));
    expect(await checkIamPolicies(template)).toEqual([finding(`${path}${where}`, message)]);
  });

  it('a misspelled action in a statement that only exists under a condition (Fn::If in the statement list)', async () => {
    let path = '';
    const template = withDefect((t) => {
      path = addStatement(t, { 'Fn::If': ['TracingEnabled', { Effect: 'Allow', Action: 'xray:PutTraceSegmentz', Resource: '*' }, { Ref: 'AWS::NoValue' }] });
    });
    expect(await checkIamPolicies(template)).toEqual([finding(`${path}.Fn::If[1].Action`, /^IAM action xray:PutTraceSegmentz is not an action of xray$/)]);
  });

  it('a misspelled action in a Lambda permission', async () => {
    let path = '';
    const template = withDefect((t) => {
      const [id, permission] = resourcesOfType(t, 'AWS::Lambda::Permission')[0]!;
      permission.Properties!.Action = 'lambda:InvokeFunctions';
      path = `Resources.${id}.Properties.Action`;
    });
    expect(await checkIamPolicies(template)).toEqual([finding(path, /^IAM action lambda:InvokeFunctions is not an action of lambda$/)]);
  });

  it('but takes actions in any case and wildcards that match, as IAM does', async () => {
    const template = withDefect((t) => addStatement(t, { Effect: 'Allow', Resource: '*', Action: ['DynamoDB:getitem', 'dynamodb:Get*', 'dynamodb:?etItem'] }));
    expect(await checkIamPolicies(template)).toEqual([]);
  });
});
