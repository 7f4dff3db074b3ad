import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Timeouts and retries of every AWS call the functions make (DynamoDB here, Secrets Manager in
 * secrets-manager.ts). They keep a failing engine inside the functions' 10 s timeout, so it yields our
 * documented 500 rather than a Lambda timeout. Per DynamoDB call, with @smithy/core 3.41's standard
 * retry strategy (the SDK is pinned, see docs/deployment.md):
 * - each attempt is cut at `requestTimeout` = 2 s, connecting included (`connectionTimeout` 1 s
 *   only fails a hanging connect sooner). `throwOnRequestTimeout` is what makes it a cut: without
 *   it the SDK merely logs a warning and waits (the default socket timeout is 300 s);
 *   test/integration/proof-faults.test.ts saw a 15 s slow engine answered after 15.5 s;
 * - at most 3 attempts, with full-jitter back-off between them: random × 50 ms × 2^i after a
 *   timeout or reset (≤ 50 + 100 ms), random × 1 s × 2^i after a throttling error (≤ 1 + 2 s);
 * - worst failed call: 3 × 2 s + 150 ms = 6.15 s (all attempts time out); a mix of timeouts and
 *   throttling stays below it (timeout 2 s, ≤ 50 ms, throttled then ≤ 2 s, timeout 2 s: ≈ 6.05 s);
 *   throttling alone ≤ 3 s.
 * A request stops at its first failed call, so a persistently failing engine is answered within
 * ~6.2 s. (An engine that succeeds only on a last attempt, call after call, can still add up.)
 * `retryMode` is pinned because AWS_RETRY_MODE=adaptive would add client-side rate-limit waits.
 */
export const BOUNDED_CALLS = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
} as const;

/** One document client per container, created at cold start and reused by every invocation. */
export function createDocumentClient(
  config: { readonly region: string; readonly dynamodbEndpoint: string | undefined },
  /** Only for measurements (scripts/bench): another transport under the same settings. */
  transport: Pick<DynamoDBClientConfig, 'requestHandler' | 'credentials'> = {},
): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    ...BOUNDED_CALLS,
    ...(local && {
      endpoint: config.dynamodbEndpoint,
      // Local engines ignore signatures; real credentials, if present, are not needed.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    ...transport,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The store's handle on DynamoDB, named so that nothing outside lib/aws/ and the *.store.ts files imports the SDK. */
export type Database = DynamoDBDocumentClient;
