import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Database } from '../aws/dynamodb.ts';
import { isConditionFailure } from '../aws/conditions.ts';
import { SIGN_IN_KEY_PREFIX } from '../aws/table.ts';

export interface AttemptPolicy {
  readonly maxAttempts: number;
  readonly windowMs: number;
}

export type Reservation = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

const attemptKey = (subject: string) => ({ pk: `${SIGN_IN_KEY_PREFIX}${subject}` });

// Taken before the password is checked, so that at most `maxAttempts` checks run per window even
// when many requests arrive at once: each reservation is one atomic increment, refused by the
// condition once the window is full.
const windowOpenWithRoom = 'attribute_not_exists(pk) OR (windowEndsAt > :now AND attempts < :max)';
// Starting a new window after the old one ended: only if nobody else restarted it first.
const windowUnchanged = 'windowEndsAt = :seen';

/** TTL clean-up margin after a window ends; the window itself is always checked against the clock. */
const TTL_MARGIN_SECONDS = 60;

/**
 * Failed sign-in counting per (email, client address). Items expire through TTL on `expiresAt`,
 * for clean-up only.
 */
export class SignInAttemptStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, table: string) {
    this.#db = db;
    this.#table = table;
  }

  async reserve(subject: string, now: number, policy: AttemptPolicy): Promise<Reservation> {
    const windowEndsAt = now + policy.windowMs;
    const expiresAt = Math.ceil(windowEndsAt / 1000) + TTL_MARGIN_SECONDS;
    // A handful of rounds covers every interleaving of reservation and window restart.
    for (let round = 0; round < 3; round++) {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: attemptKey(subject),
            UpdateExpression:
              'ADD attempts :one SET windowEndsAt = if_not_exists(windowEndsAt, :end), expiresAt = if_not_exists(expiresAt, :ttl)',
            ConditionExpression: windowOpenWithRoom,
            ExpressionAttributeValues: { ':one': 1, ':end': windowEndsAt, ':ttl': expiresAt, ':now': now, ':max': policy.maxAttempts },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.#db.send(
        new GetCommand({ TableName: this.#table, Key: attemptKey(subject), ConsistentRead: true }),
      );
      if (!Item) continue;
      const seen = Item.windowEndsAt as number;
      if (seen > now) return { allowed: false, retryAfterMs: seen - now };
      try {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...attemptKey(subject), attempts: 1, windowEndsAt, expiresAt },
            ConditionExpression: windowUnchanged,
            ExpressionAttributeValues: { ':seen': seen },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error('sign-in attempt reservation did not settle');
  }

  /** A successful sign-in forgets the failures that preceded it. */
  async clear(subject: string): Promise<void> {
    await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: attemptKey(subject) }));
  }
}
