// A transport under the AWS SDK that answers canned DynamoDB JSON without any network, and the
// middleware that counts the calls a request makes.
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';

export type DynamoOperation = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';
export type CannedResponses = Partial<Record<DynamoOperation, Record<string, unknown>>>;

type RequestHandler = NonNullable<DynamoDBClientConfig['requestHandler']>;

/**
 * The SDK's `requestHandler`: whatever the request, the canned answer for its operation (from the
 * `X-Amz-Target` header), encoded once; the SDK signs, serializes, deserializes and unmarshalls as
 * it would against DynamoDB. Only the socket and HTTP parsing are missing, on both sides of a ratio.
 */
export class StubTransport {
  #bodies = new Map<string, Uint8Array>();
  /** HTTP requests answered so far. */
  requests = 0;

  answer(responses: CannedResponses): void {
    this.#bodies = new Map(Object.entries(responses).map(([op, body]) => [op, new TextEncoder().encode(JSON.stringify(body))]));
  }

  async handle(request: { headers: Record<string, string> }): Promise<{ response: unknown }> {
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    const body = this.#bodies.get(operation);
    if (!body) throw new Error(`stub transport: no canned response for ${operation || '(no X-Amz-Target)'}`);
    this.requests++;
    return {
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'stub' },
        // A copy: the SDK adopts the array it is given.
        body: body.slice(),
      },
    };
  }

  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, unknown> {
    return {};
  }
  destroy(): void {}
}

/**
 * The production document client of lib/aws/dynamodb.ts (no endpoint override: the regional
 * endpoint is resolved per request, as in Lambda), with the stub as its transport.
 */
export function stubbedDocumentClient(transport: StubTransport): DynamoDBDocumentClient {
  return createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: undefined }, {
    requestHandler: transport as unknown as RequestHandler,
    credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret-access-key' },
  });
}

/** The DynamoDB commands sent through `db` (one per `send`, before retries), by name. */
export function countCalls(db: DynamoDBDocumentClient): { take(): string[] } {
  let seen: string[] = [];
  db.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter', override: true },
  );
  return {
    take() {
      const calls = seen;
      seen = [];
      return calls;
    },
  };
}
