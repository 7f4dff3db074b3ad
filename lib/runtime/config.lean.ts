/**
 * The part of the configuration that the lean functions (the service-token authorizer and the
 * introspection route) need. Validated by hand, not with Joi, so that their bundles carry no Joi:
 * they are on every service-level request's path. `config.ts` applies the same rules with Joi.
 */
export interface StoreConfig {
  readonly selfHosted: boolean;
  readonly tableName: string;
  readonly region: string;
  /** Set for local engines (dynalite, DynamoDB Local); unset means the region's DynamoDB. */
  readonly dynamodbEndpoint: string | undefined;
}

export const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
/** DYNAMODB_ENDPOINT: an http:// or https:// URL with a host (a local engine, or another endpoint). */
export const ENDPOINT_PATTERN = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/;
export const ENDPOINT_RULE = 'must be an http:// or https:// URL';

export function loadStoreConfig(env: NodeJS.ProcessEnv): StoreConfig {
  const fail = (message: string): never => {
    throw new Error(`Invalid configuration: ${message}`);
  };
  const tableName = env.TABLE_NAME || fail('TABLE_NAME is required');
  if (!TABLE_NAME_PATTERN.test(tableName)) fail('TABLE_NAME must be a DynamoDB table name');
  const selfHosted = (env.SELF_HOSTED ?? 'true').trim().toLowerCase();
  if (selfHosted !== 'true' && selfHosted !== 'false') fail('SELF_HOSTED must be a boolean');
  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !ENDPOINT_PATTERN.test(endpoint)) fail(`DYNAMODB_ENDPOINT ${ENDPOINT_RULE}`);
  return { selfHosted: selfHosted === 'true', tableName, region: env.AWS_REGION || 'us-east-1', dynamodbEndpoint: endpoint };
}
