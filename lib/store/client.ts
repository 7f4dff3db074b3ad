import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreConfig } from '../store-config.ts';

/**
 * One document client per container, created at cold start and reused by every invocation.
 *
 * Timeouts and retries are chosen to stay inside the functions' 10 s timeout: 3 attempts of at
 * most 1 s to connect and 2 s to answer, plus the SDK's jittered back-off, end well before it,
 * so a slow or unreachable engine yields our documented 500 rather than a Lambda timeout.
 */
export function createDocumentClient(config: Pick<StoreConfig, 'region' | 'dynamodbEndpoint'>): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    ...(local && {
      endpoint: config.dynamodbEndpoint,
      // Local engines ignore signatures; real credentials, if present, are not needed.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The store's handle on DynamoDB, named so that nothing outside lib/store/ imports the SDK. */
export type Database = DynamoDBDocumentClient;
