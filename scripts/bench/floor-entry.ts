// The cold-start floor: a fixed reference that no choice of ours moves. The DynamoDB document
// client with the SDK's defaults (its default credential chain, its own timeouts and retries) and
// one command, as any function that reads DynamoDB must carry at least; built with FLOOR_SETTINGS
// (bundles.ts), not with serverless.yml's. Nothing of lib/ here: a saving in lib/aws/ or in
// custom.esbuild shrinks the functions, never the floor.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

export const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const command = new GetCommand({ TableName: 'floor', Key: { pk: 'floor' } });
