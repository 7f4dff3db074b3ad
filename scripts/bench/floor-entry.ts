// The cold-start floor: the DynamoDB document client, constructed exactly as the functions
// construct it (lib/aws/dynamodb.ts), from the same environment, and nothing else.
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';

export const db = createDocumentClient({
  region: process.env.AWS_REGION || 'us-east-1',
  dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
});
