import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_KEY } from '../aws/table.ts';
import type { Database } from '../aws/dynamodb.ts';
import { isConditionFailure, mayBeOwnRetriedWrite } from '../aws/conditions.ts';

/** A service token as stored: its SHA-256 digest, never its value. Times in epoch milliseconds. */
export interface StoredToken {
  readonly digest: string;
  readonly createdAt: number;
}

/** A rotated-out token, valid until `expiresAt`, decided at read time against the clock. */
export interface RetiredToken extends StoredToken {
  readonly expiresAt: number;
}

/** The company's service tokens: exactly one current, and the rotated ones. */
export interface TokenSet {
  readonly current: StoredToken;
  readonly retired: readonly RetiredToken[];
}

/** The token set as read, with the revision a conditional write must still find. */
export interface TokenState {
  readonly companyId: string;
  readonly tokens: TokenSet | undefined;
  readonly revision: number;
}

/*
 * The tokens live in the account item itself (attribute `serviceTokens`, plus `tokenRevision`).
 * So "exactly one current token" and "an upsert revokes every other token" are single-item
 * invariants kept by single conditional writes; the authorizer and an admin request each need one
 * read; and a write can check that the company still exists.
 */

// Upsert: write unless the submitted token is already current with nothing else valid (the
// documented no-op). A write replaces the whole set, so concurrent upserts leave the last
// acknowledged token, and nothing unacknowledged, as the only valid one.
const upsertChangesSomething =
  'companyId = :companyId AND (attribute_not_exists(serviceTokens) OR serviceTokens.#current.digest <> :digest OR size(serviceTokens.retired) > :zero)';

// Rotation is read-modify-write: the write goes through only if nobody wrote the set since it was
// read, so two rotations of one token cannot both succeed, and a concurrent upsert is never undone.
const tokensUnchangedSinceRead = 'companyId = :companyId AND tokenRevision = :seen';
const noTokensYet = 'companyId = :companyId AND attribute_not_exists(tokenRevision)';

export class ServiceTokenStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, table: string) {
    this.#db = db;
    this.#table = table;
  }

  /** Makes `digest` the only token. The caller has just read the account, which is never deleted. */
  async replace(companyId: string, digest: string, now: number): Promise<void> {
    const tokens: TokenSet = { current: { digest, createdAt: now }, retired: [] };
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: 'SET serviceTokens = :tokens, tokenRevision = if_not_exists(tokenRevision, :zero) + :one',
          ConditionExpression: upsertChangesSomething,
          ExpressionAttributeNames: { '#current': 'current' },
          ExpressionAttributeValues: { ':companyId': companyId, ':tokens': tokens, ':digest': digest, ':zero': 0, ':one': 1 },
        }),
      );
    } catch (error) {
      // The submitted token is already the only one: the documented no-op.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Writes `tokens` if the set is still at `seenRevision`; false when another write got there first. */
  async write(companyId: string, seenRevision: number, tokens: TokenSet): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: 'SET serviceTokens = :tokens, tokenRevision = :next',
          ConditionExpression: seenRevision === 0 ? noTokensYet : tokensUnchangedSinceRead,
          ExpressionAttributeValues: {
            ':companyId': companyId,
            ':tokens': tokens,
            ':next': seenRevision + 1,
            ...(seenRevision === 0 ? {} : { ':seen': seenRevision }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A retried write that had landed finds our own new token current: a success, not a conflict.
      // A first attempt's failure is a lost race, answered without a third call.
      return mayBeOwnRetriedWrite(error) && (await this.read())?.tokens?.current.digest === tokens.current.digest;
    }
  }

  /** One strongly consistent read of the tokens alone (not the admin's credentials). */
  async read(): Promise<TokenState | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: ACCOUNT_KEY,
        ConsistentRead: true,
        ProjectionExpression: 'companyId, serviceTokens, tokenRevision',
      }),
    );
    if (!Item) return undefined;
    return tokenState(Item as Parameters<typeof tokenState>[0]);
  }
}

/** The token part of an account item. */
export function tokenState(item: { companyId: string; serviceTokens?: TokenSet; tokenRevision?: number }): TokenState {
  return { companyId: item.companyId, tokens: item.serviceTokens, revision: item.tokenRevision ?? 0 };
}
