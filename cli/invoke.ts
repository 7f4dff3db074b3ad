// The API by direct invocation of its Lambda functions (`lambda:InvokeFunction`, no API Gateway):
// the payload is {headers, body}, the answer the same {statusCode, headers, body} as over HTTP.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseBody, transportError, usageError, type FunctionKey, type Transport } from './api.ts';

export interface InvokeTarget {
  /** The deployed function's name or ARN, for the function a subcommand calls. */
  functionName: (key: FunctionKey) => string;
  /** Another Lambda endpoint, e.g. http://localhost:3002 (npm start's invoke endpoint). */
  endpoint?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function invokeTransport({ functionName, endpoint }: InvokeTarget): Transport {
  let local = false;
  if (endpoint !== undefined) {
    try {
      local = LOOPBACK.has(new URL(endpoint).hostname);
    } catch {
      throw usageError(`--endpoint: not a URL: ${endpoint}`);
    }
  }
  const client = new LambdaClient({
    ...(endpoint !== undefined && { endpoint }),
    // serverless-offline checks no signature: a local endpoint gets placeholder credentials rather
    // than whatever AWS credentials this shell holds.
    ...(local && { region: process.env.AWS_REGION || 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    // Never retried: a rotation whose answer was lost must not run again (its retry would fail
    // with EXPIRED_SERVICE_TOKEN and the new key would be lost). The caller decides.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });

  return async ({ function: key, bearer, body }) => {
    const name = functionName(key);
    const payload = { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }, ...(body !== undefined && { body }) };
    let output;
    try {
      output = await client.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
    } catch (error) {
      const { name: type, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      throw transportError(`invoking ${name} failed: ${type}: ${message}`);
    }
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    if (output.FunctionError) {
      const detail = parseBody(text) as { errorMessage?: unknown } | string;
      const reason = typeof detail === 'object' && detail !== null && typeof detail.errorMessage === 'string' ? `: ${detail.errorMessage}` : '';
      throw transportError(`${name} failed (${output.FunctionError})${reason}`);
    }
    const result = parseBody(text) as { statusCode?: unknown; body?: unknown } | null;
    if (typeof result !== 'object' || result === null || typeof result.statusCode !== 'number') {
      throw transportError(`unexpected answer from ${name}: not a {statusCode, headers, body} result`);
    }
    return { status: result.statusCode, body: typeof result.body === 'string' ? parseBody(result.body) : result.body };
  };
}
