// What the AWS clients of the command line share (direct invocation, the setup code): the region,
// another endpoint (npm start's invoke endpoint, or a test engine), the User-Agent, and bounded calls.
import { isLoopback } from './endpoints.ts';
import { USER_AGENT } from './version.ts';

export interface AwsTarget {
  /** --region, else the SDK's own resolution (AWS_REGION, the profile). */
  readonly region?: string;
  /** --endpoint (or AWS_ENDPOINT_URL_LAMBDA): another Lambda endpoint, checked by credentialUrl. */
  readonly endpoint?: URL;
}

/**
 * Client settings for `service`. Only Lambda takes --endpoint; the SDK itself reads the
 * AWS_ENDPOINT_URL_<SERVICE> variables. A loopback Lambda endpoint (serverless-offline checks no
 * signature) gets placeholder credentials rather than whatever AWS credentials this shell holds.
 */
export function awsClientSettings(target: AwsTarget, service: 'lambda' | 'secretsmanager') {
  // The SDK warns on Node 20 about SDK versions to come; the packaged command line carries its own,
  // fixed SDK, and stderr is for this command's messages.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = service === 'lambda' ? target.endpoint : undefined;
  const local = endpoint !== undefined && isLoopback(endpoint);
  return {
    ...(target.region !== undefined && { region: target.region }),
    ...(endpoint !== undefined && { endpoint: endpoint.href }),
    ...(local && { region: target.region ?? (process.env.AWS_REGION || 'us-east-1'), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    customUserAgent: USER_AGENT,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  };
}
