// The API by direct invocation of its Lambda functions (`lambda:InvokeFunction`, no API Gateway):
// the payload is {headers, body}, the answer the same {statusCode, headers, body} as over HTTP.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { isObject, parseBody, transportError, type FunctionKey, type Transport } from './api.ts';
import { awsClientSettings, type AwsTarget } from './aws.ts';

export interface InvokeTarget extends AwsTarget {
  /** The deployed function's name or ARN, for the function a command calls. */
  functionName: (key: FunctionKey) => string;
}

export function invokeTransport(target: InvokeTarget): Transport {
  const client = new LambdaClient({
    ...awsClientSettings(target, 'lambda'),
    // Never retried: a rotation whose answer was lost must not run again (its retry would fail
    // with EXPIRED_SERVICE_TOKEN and the new key would be lost). The caller decides.
    maxAttempts: 1,
  });

  return async ({ function: key, bearer, headers, body }) => {
    const name = target.functionName(key);
    const payload = {
      headers: {
        ...headers,
        ...(bearer !== undefined && { authorization: `Bearer ${bearer.value}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body }),
    };
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
    const result = parseBody(text);
    if (!isObject(result) || typeof result.statusCode !== 'number') {
      throw transportError(`nothing that looks like this API answered: ${name} returned no {statusCode, headers, body} result`);
    }
    const answerHeaders = Object.fromEntries(
      Object.entries(isObject(result.headers) ? result.headers : {}).map(([header, value]) => [header.toLowerCase(), String(value)]),
    );
    return { status: result.statusCode, headers: answerHeaders, body: typeof result.body === 'string' ? parseBody(result.body) : result.body };
  };
}
