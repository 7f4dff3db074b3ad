import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { DEFAULT_CONSUMER_EMAIL_DOMAINS, loadConfig } from '../../lib/runtime/config.ts';
import {
  CUSTOM_PARAMS,
  CUSTOM_STAGE,
  effectiveTemplate,
  FUNCTIONS,
  functionLogicalId,
  list,
  loadTemplate,
  PACKAGING_ENV,
  resource,
  resourcesOfType,
  type Stage,
  type Template,
  SETUP_CODE_SECRET,
} from './template.ts';
import { REFUSED_CLAIM_MODE_FILE } from './package-setup.ts';

/*
 * Per-stage settings are stage parameters (`params:` in serverless.yml, `--param` on deploy), never
 * the deployer's environment: package-setup.ts packages prod and dev with the defaults and
 * SELF_HOSTED=false in the environment, and stage `staging` with every parameter changed.
 */

const STAGES: readonly Stage[] = ['prod', 'dev', 'custom'];
const deployed: Readonly<Record<Stage, Template>> = {
  prod: effectiveTemplate(loadTemplate('prod')),
  dev: effectiveTemplate(loadTemplate('dev')),
  custom: effectiveTemplate(loadTemplate('custom')),
};
const stageName: Readonly<Record<Stage, string>> = { prod: 'prod', dev: 'dev', custom: CUSTOM_STAGE };

const variablesOf = (template: Template, fn: string): Record<string, unknown> =>
  resource(template, functionLogicalId(fn)).Properties?.Environment?.Variables ?? {};

/** What lib/runtime/config.ts makes of a function's variables (its ARN references filled in). */
const configOf = (template: Template, fn: string) =>
  loadConfig({
    ...Object.fromEntries(Object.entries(variablesOf(template, fn)).map(([name, value]) =>
      [name, typeof value === 'string' ? value : 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s'])),
    JWT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
  } as NodeJS.ProcessEnv);

describe('function settings from stage parameters', () => {
  it('SELF_HOSTED is the parameter (default true), whatever the deployer\'s environment says', () => {
    expect(PACKAGING_ENV.prod.SELF_HOSTED).toBe('false');
    expect(PACKAGING_ENV.custom.SELF_HOSTED).toBe('true');
    for (const fn of Object.keys(FUNCTIONS)) {
      expect({ fn, prod: variablesOf(deployed.prod, fn).SELF_HOSTED, dev: variablesOf(deployed.dev, fn).SELF_HOSTED })
        .toEqual({ fn, prod: 'true', dev: 'true' });
      expect({ fn, custom: variablesOf(deployed.custom, fn).SELF_HOSTED }).toEqual({ fn, custom: CUSTOM_PARAMS.selfHosted });
    }
  });

  it('the defaults are what the code would assume without them', () => {
    for (const stage of ['prod', 'dev'] as const) {
      // The console loads no configuration: it reads CLAIM_MODE alone (lib/console/site.ts).
      for (const fn of Object.keys(FUNCTIONS).filter((name) => !FUNCTIONS[name]!.static)) {
        const config = configOf(deployed[stage], fn);
        expect({ fn, selfHosted: config.selfHosted, ttl: config.jwt.ttlSeconds, domains: config.consumerEmailDomains })
          .toEqual({ fn, selfHosted: true, ttl: 3600, domains: DEFAULT_CONSUMER_EMAIL_DOMAINS });
        expect({ fn, level: variablesOf(deployed[stage], fn).POWERTOOLS_LOG_LEVEL }).toEqual({ fn, level: 'INFO' });
      }
    }
  });

  it('JWT lifetime, log level and consumer domains follow the parameters', () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const config = configOf(deployed.custom, fn);
      expect({ fn, selfHosted: config.selfHosted, ttl: config.jwt.ttlSeconds, domains: config.consumerEmailDomains })
        .toEqual({ fn, selfHosted: false, ttl: Number(CUSTOM_PARAMS.jwtTtlSeconds), domains: CUSTOM_PARAMS.consumerEmailDomains.split(',') });
      expect({ fn, level: variablesOf(deployed.custom, fn).POWERTOOLS_LOG_LEVEL }).toEqual({ fn, level: CUSTOM_PARAMS.logLevel });
    }
  });

  it('Lambda active tracing only with `tracing=true`', () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      expect({ fn, prod: resource(deployed.prod, functionLogicalId(fn)).Properties?.TracingConfig })
        .toEqual({ fn, prod: undefined });
      expect({ fn, custom: resource(deployed.custom, functionLogicalId(fn)).Properties?.TracingConfig })
        .toEqual({ fn, custom: { Mode: 'Active' } });
    }
  });
});

describe('the custom domain', () => {
  it('does not exist by default, and the execute-api endpoint answers', () => {
    for (const stage of ['prod', 'dev'] as const) {
      expect(resourcesOfType(deployed[stage], 'AWS::ApiGatewayV2::DomainName')).toEqual([]);
      expect(resourcesOfType(deployed[stage], 'AWS::ApiGatewayV2::ApiMapping')).toEqual([]);
      expect(resource(deployed[stage], 'HttpApi').Properties?.DisableExecuteApiEndpoint).toBe(false);
      expect(deployed[stage].Outputs?.CustomDomainUrl).toBeUndefined();
    }
  });

  it('with `domainName` and `certificateArn`: a regional TLS 1.2 domain mapped to the API\'s stage, and the execute-api endpoint off', () => {
    const template = deployed.custom;
    const domains = resourcesOfType(template, 'AWS::ApiGatewayV2::DomainName');
    expect(domains).toHaveLength(1);
    const [domainId, domain] = domains[0]!;
    expect(domain.Properties).toMatchObject({
      DomainName: CUSTOM_PARAMS.domainName,
      DomainNameConfigurations: [{ CertificateArn: CUSTOM_PARAMS.certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    const mappings = resourcesOfType(template, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mappings.map(([, mapping]) => mapping.Properties)).toEqual([{ DomainName: { Ref: domainId }, ApiId: { Ref: 'HttpApi' }, Stage: '$default' }]);
    expect(list(mappings[0]![1].DependsOn)).toEqual(['HttpApiStage']);
    expect(resource(template, 'HttpApi').Properties?.DisableExecuteApiEndpoint).toBe(true);
    expect(template.Outputs?.CustomDomainUrl?.Value).toBe(`https://${CUSTOM_PARAMS.domainName}`);
    expect(template.Outputs?.CustomDomainTarget?.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
  });
});

describe('tags', () => {
  const spec = loadAwsServiceSpecSync();
  const tagProperty = (type: string): { name: string; variant: string } | undefined => {
    const found = spec.lookup('resource', 'cloudFormationType', 'equals', type);
    if (found.length !== 1) throw new Error(`the CloudFormation registry has no resource type ${type}`);
    const info = found[0]!.tagInformation;
    return info && { name: info.tagPropertyName, variant: info.variant };
  };

  it.each(STAGES)('every taggable resource of the %s template carries service and stage', (stage) => {
    const expected = { service: 'databrain-admin-api', stage: stageName[stage] };
    let tagged = 0;
    for (const [id, { Type, Properties }] of Object.entries(deployed[stage].Resources)) {
      const property = tagProperty(Type);
      if (!property) continue;
      tagged++;
      const value = Properties?.[property.name];
      const tags = Array.isArray(value)
        ? Object.fromEntries(value.map((tag: { Key: string; Value: unknown }) => [tag.Key, tag.Value]))
        : (value as Record<string, unknown> | undefined);
      expect({ id, Type, tags: { service: tags?.service, stage: tags?.stage } }).toEqual({ id, Type, tags: expected });
    }
    expect(tagged).toBeGreaterThan(30);
  });

  it('also tag the stack itself (stackTags)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const state = JSON.parse(readFileSync(join(root, '.serverless', 'serverless-state.json'), 'utf8'));
    expect(state.service.provider.stackTags).toEqual({ service: 'databrain-admin-api', stage: 'prod' });
  });
});

describe('claimMode: who may claim the instance', () => {
  const claimVariables = (template: Template, fn: string) => {
    const { CLAIM_MODE, SETUP_CODE_SECRET_ARN } = variablesOf(template, fn);
    return { CLAIM_MODE, SETUP_CODE_SECRET_ARN };
  };

  it.each(['prod', 'dev'] as const)('%s defaults to setupCode: createAdminAccount reads its code from the stack\'s secret', (stage) => {
    expect(claimVariables(deployed[stage], 'createAdminAccount')).toEqual({ CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: { Ref: SETUP_CODE_SECRET } });
    expect(configOf(deployed[stage], 'createAdminAccount').claim.mode).toBe('setupCode');
  });

  it.each(['prod', 'dev'] as const)('%s creates the setup code secret: named for the command line, 40 generated alphanumerics, tagged', (stage) => {
    const secret = resource(deployed[stage], SETUP_CODE_SECRET);
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties).toMatchObject({
      Name: `databrain-admin-api/${stageName[stage]}/setup-code`,
      GenerateSecretString: { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false },
    });
    // Letters and digits only, at least 32 of them: no punctuation or space to mangle in a header or a shell.
    expect(secret.Properties?.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(32);
    expect(secret.Properties?.GenerateSecretString.SecretStringTemplate).toBeUndefined();
    expect(deployed[stage].Outputs?.SetupCodeSecretName?.Value).toBe(`databrain-admin-api/${stageName[stage]}/setup-code`);
  });

  it('`--param claimMode=iam`: no secret, no secret ARN, the mode given to createAdminAccount', () => {
    expect(CUSTOM_PARAMS.claimMode).toBe('iam');
    expect(claimVariables(deployed.custom, 'createAdminAccount')).toEqual({ CLAIM_MODE: 'iam', SETUP_CODE_SECRET_ARN: '' });
    expect(configOf(deployed.custom, 'createAdminAccount').claim).toEqual({ mode: 'iam', setupCodeSecretArn: undefined });
    expect(deployed.custom.Resources[SETUP_CODE_SECRET]).toBeUndefined();
    expect(deployed.custom.Outputs?.SetupCodeSecretName).toBeUndefined();
  });

  it('is given to createAdminAccount only, and its mode (never the secret) to the console, which tells the page', () => {
    for (const stage of STAGES) {
      for (const fn of Object.keys(FUNCTIONS).filter((name) => name !== 'createAdminAccount' && name !== 'console')) {
        expect({ stage, fn, ...claimVariables(deployed[stage], fn) }).toEqual({ stage, fn, CLAIM_MODE: undefined, SETUP_CODE_SECRET_ARN: undefined });
      }
      // The page offers the claim form of the mode the API enforces.
      const { CLAIM_MODE } = claimVariables(deployed[stage], 'createAdminAccount');
      expect({ stage, ...claimVariables(deployed[stage], 'console') }).toEqual({ stage, CLAIM_MODE, SETUP_CODE_SECRET_ARN: undefined });
    }
  });

  it('any other value fails the packaging, naming the setting', () => {
    const file = join(process.env.TEMPLATE_DEV_DIR!, REFUSED_CLAIM_MODE_FILE);
    expect(existsSync(file)).toBe(true);
    const { status, stdout, stderr } = JSON.parse(readFileSync(file, 'utf8')) as { status: number; stdout: string; stderr: string };
    expect(status).not.toBe(0);
    expect(`${stdout}${stderr}`).toContain('Cannot resolve variable at "custom.claim"');
  });
});
