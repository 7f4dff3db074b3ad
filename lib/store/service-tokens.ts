import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './conditions.ts';

/** A service token as stored: its SHA-256 digest, never its value. Times in epoch milliseconds. */
export interface StoredToken {
  readonly digest: string;
  readonly createdAt: number;
}

/** A rotated-out token, valid until `expiresAt` (decided at read time, never by DynamoDB TTL). */
export interface RetiredToken extends StoredToken {
  readonly expiresAt: number;
}

/**
 * Every service token of the company lives in this one item, so "exactly one current token" and
 * "an upsert revokes everything else" are single-item invariants, kept by single conditional writes
 * (no transactions), and the authorizer needs one read.
 */
export interface TokenSet {
  readonly companyId: string;
  readonly current: StoredToken;
  readonly retired: readonly RetiredToken[];
  /** Incremented by every write; rotation conditions on it to close read-modify-write races. */
  readonly revision: number;
}

export const SERVICE_TOKENS_KEY = { pk: 'SERVICE_TOKENS' } as const;

export type ReplaceOutcome = 'replaced' | 'unchanged';

// Upsert: skip the write only when the submitted token is already current and nothing else is
// valid, which is the documented no-op. Otherwise the write makes it the only token, whatever
// raced before it: concurrent upserts each replace the whole set, so the last acknowledged one
// stands and nothing unacknowledged can survive.
const upsertChangesSomething =
  'attribute_not_exists(pk) OR #current.#digest <> :digest OR size(#retired) > :zero';

export class ServiceTokenStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.#db = db;
    this.#table = table;
  }

  async replace(companyId: string, digest: string, now: number): Promise<ReplaceOutcome> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: SERVICE_TOKENS_KEY,
          UpdateExpression:
            'SET companyId = :companyId, #current = :current, #retired = :none, revision = if_not_exists(revision, :zero) + :one',
          ConditionExpression: upsertChangesSomething,
          ExpressionAttributeNames: { '#current': 'current', '#digest': 'digest', '#retired': 'retired' },
          ExpressionAttributeValues: {
            ':companyId': companyId,
            ':current': { digest, createdAt: now } satisfies StoredToken,
            ':digest': digest,
            ':none': [],
            ':zero': 0,
            ':one': 1,
          },
        }),
      );
      return 'replaced';
    } catch (error) {
      if (isConditionFailure(error)) return 'unchanged';
      throw error;
    }
  }

  /** Strongly consistent, so a revocation is effective for the very next request. */
  async get(): Promise<TokenSet | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: SERVICE_TOKENS_KEY, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, ...set } = Item;
    return set as TokenSet;
  }
}
