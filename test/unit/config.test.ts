import { DEFAULT_CONSUMER_EMAIL_DOMAINS, loadConfig } from '../../lib/runtime/config.ts';
import { loadStoreConfig } from '../../lib/runtime/config.lean.ts';
import { loadGraceSeconds } from '../../lib/service-token/published-rotation.ts';

const minimal = { TABLE_NAME: 'admin-table', JWT_SECRET_FILE: '/tmp/secret' };

describe('configuration, validated once at cold start', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      selfHosted: true,
      tableName: 'admin-table',
      region: 'us-east-1',
      dynamodbEndpoint: undefined,
      jwt: {
        secretFile: '/tmp/secret',
        secretArn: undefined,
        issuer: 'databrain-selfhosted',
        audience: 'databrain-admin-api',
        ttlSeconds: 3600,
        keySetMaxAgeSeconds: 300,
      },
      consumerEmailDomains: DEFAULT_CONSUMER_EMAIL_DOMAINS,
      // Set for createAdminAccount only, which refuses to start without a mode (lib/admin/claim.ts).
      claim: { mode: undefined, setupCodeSecretArn: undefined },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...minimal,
      SELF_HOSTED: 'false',
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://localhost:8000',
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      JWT_TTL_SECONDS: '600',
      JWT_KEY_SET_MAX_AGE_SECONDS: '5',
      CONSUMER_EMAIL_DOMAINS: 'Example.com, mail.test',
    });
    expect(config.selfHosted).toBe(false);
    expect(config.region).toBe('eu-west-1');
    expect(config.dynamodbEndpoint).toBe('http://localhost:8000');
    expect(config.jwt).toMatchObject({ issuer: 'iss', audience: 'aud', ttlSeconds: 600, keySetMaxAgeSeconds: 5 });
    expect(config.consumerEmailDomains).toEqual(['example.com', 'mail.test']);
  });

  it.each([
    [{ CLAIM_MODE: 'open' }, { mode: 'open', setupCodeSecretArn: undefined }],
    [{ CLAIM_MODE: 'iam', SETUP_CODE_SECRET_ARN: '' }, { mode: 'iam', setupCodeSecretArn: undefined }],
    [{ CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:code-AbCdEf' },
      { mode: 'setupCode', setupCodeSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:code-AbCdEf' }],
  ])('reads the claim mode: %j', (env, claim) => {
    expect(loadConfig({ ...minimal, ...env }).claim).toEqual(claim);
  });

  it.each([
    [{ JWT_SECRET_FILE: '/tmp/s' }, /TABLE_NAME is required/],
    [{ ...minimal, JWT_TTL_SECONDS: '90000' }, /JWT_TTL_SECONDS must be less than or equal to 86400/],
    [{ ...minimal, JWT_TTL_SECONDS: 'soon' }, /JWT_TTL_SECONDS must be a number/],
    [{ ...minimal, JWT_KEY_SET_MAX_AGE_SECONDS: '0' }, /JWT_KEY_SET_MAX_AGE_SECONDS must be greater than or equal to 1/],
    [{ ...minimal, JWT_KEY_SET_MAX_AGE_SECONDS: '901' }, /JWT_KEY_SET_MAX_AGE_SECONDS must be less than or equal to 900/],
    [{ ...minimal, SELF_HOSTED: 'maybe' }, /SELF_HOSTED must be a boolean/],
    [{ ...minimal, DYNAMODB_ENDPOINT: 'localhost:8000' }, /DYNAMODB_ENDPOINT must be an http:\/\/ or https:\/\/ URL/],
    [{ TABLE_NAME: 'admin-table' }, /one of JWT_SECRET_FILE \(local\) or JWT_SECRET_ARN \(AWS\) must be set/],
    [{ ...minimal, JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }, /set only one of JWT_SECRET_FILE and JWT_SECRET_ARN/],
    [{ ...minimal, CONSUMER_EMAIL_DOMAINS: 'gmail.com;yahoo.com' }, /CONSUMER_EMAIL_DOMAINS/],
    [{ ...minimal, SERVICE_TOKEN_SECRET_ARN: 'service-token' }, /SERVICE_TOKEN_SECRET_ARN .* fails to match the Secrets Manager ARN pattern/],
    [{ ...minimal, CLAIM_MODE: 'first-caller' }, /CLAIM_MODE must be one of \[setupCode, iam, open\]/],
    [{ ...minimal, CLAIM_MODE: 'setupCode' }, /CLAIM_MODE setupCode needs SETUP_CODE_SECRET_ARN/],
    [{ ...minimal, CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: 'setup-code' }, /SETUP_CODE_SECRET_ARN .* fails to match the Secrets Manager ARN pattern/],
  ])('fails naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('knows the token is published only from a Secrets Manager ARN in SERVICE_TOKEN_SECRET_ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:st-AbCdEf';
    expect(loadConfig({ ...minimal, SERVICE_TOKEN_SECRET_ARN: arn }).serviceTokenSecretArn).toBe(arn);
    // Unset in AWS; npm start's serverless-offline passes serverless.yml's null as "null".
    for (const unset of [undefined, '', 'null']) {
      expect(loadConfig({ ...minimal, ...(unset === undefined ? {} : { SERVICE_TOKEN_SECRET_ARN: unset }) }).serviceTokenSecretArn).toBeUndefined();
    }
  });

  it.each([['1', 3600], ['24', 86_400], ['168', 604_800]])('SERVICE_TOKEN_GRACE_HOURS %s: %i seconds', (hours, seconds) => {
    expect(loadGraceSeconds({ SERVICE_TOKEN_GRACE_HOURS: hours })).toBe(seconds);
  });

  it.each([undefined, '', '0', '169', '1.5', '24h', ' 24'])('SERVICE_TOKEN_GRACE_HOURS %j fails the rotation function\'s cold start', (hours) => {
    expect(() => loadGraceSeconds(hours === undefined ? {} : { SERVICE_TOKEN_GRACE_HOURS: hours }))
      .toThrow('Invalid configuration: SERVICE_TOKEN_GRACE_HOURS must be a whole number of hours, 1 to 168');
  });

  // The lean functions (authorizer, introspection) validate their subset by hand: same rules.
  it.each([
    ['http://localhost:8000', true], ['https://dynamodb.eu-west-1.amazonaws.com', true], ['http://127.0.0.1:8000/', true],
    ['http://[::1]:8000', true], ['localhost:8000', false], ['ftp://localhost', false], ['http://', false], ['http:///x', false],
    ['http://local host', false], [' http://localhost', false], ['http://localhost/ x', false],
  ])('DYNAMODB_ENDPOINT %j: accepted = %s, by both loaders', (endpoint, accepted) => {
    const env = { ...minimal, DYNAMODB_ENDPOINT: endpoint };
    const outcome = (load: () => unknown) => {
      try {
        load();
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const expected = accepted ? 'accepted' : 'Invalid configuration: DYNAMODB_ENDPOINT must be an http:// or https:// URL';
    expect(outcome(() => loadConfig(env))).toBe(expected);
    expect(outcome(() => loadStoreConfig(env))).toBe(expected);
  });
});
