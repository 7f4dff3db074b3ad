import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The run's DynamoDB engine, started by the integration project's globalSetup. */
export function engineEndpoint(): string {
  const value = process.env.DDB_ENDPOINT;
  if (!value) throw new Error('DDB_ENDPOINT is not set: run the integration project through jest (globalSetup)');
  return value;
}

/** A document client straight to the run's engine (not through any proxy), for test-side reads and writes. */
export function engineClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: engineEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}
