import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Database } from '../aws/dynamodb.ts';
import { isConditionFailure } from '../aws/conditions.ts';

/**
 * The lock-out: failed attempts are counted in fixed windows, each reserved before the password is
 * checked, and a full window refuses with 429 until it ends (CONTRACT: sign-in and password reset).
 */
export interface AttemptPolicy {
  readonly maxAttempts: number;
  readonly windowMs: number;
}

/** Five failed sign-ins per email and client address in 15 minutes, then 429 until the window ends. */
export const SIGN_IN_POLICY = { maxAttempts: 5, windowMs: 15 * 60 * 1000 } as const;
/**
 * And at most 50 per email in 15 minutes whatever address each claims: the client address is only
 * what the event says, and a caller that may invoke the function directly writes the event itself
 * (a new address per attempt, or someone else's). This ceiling bounds online guessing regardless.
 * Its price: a flood of failures locks the email out for everyone until its window ends.
 */
export const SIGN_IN_EMAIL_CEILING = { maxAttempts: 50, windowMs: 15 * 60 * 1000 } as const;
/** Five wrong current passwords per admin in 15 minutes, so a stolen JWT is no password oracle. */
export const RESET_PASSWORD_POLICY = { maxAttempts: 5, windowMs: 15 * 60 * 1000 } as const;

/** Retry-After of a refused reservation: whole seconds, rounded up. */
export const retryAfterSeconds = (refused: { readonly retryAfterMs: number }): number => Math.ceil(refused.retryAfterMs / 1000);

/** An allowed reservation names its window, so that it can be given back into that window only. */
export type Reservation =
  | { readonly allowed: true; readonly windowEndsAt: number }
  | { readonly allowed: false; readonly retryAfterMs: number };

// Taken before the password is checked, so that at most `maxAttempts` checks run per window even
// when many requests arrive at once: each reservation is one atomic increment, refused by the
// condition once the window is full.
const windowOpenWithRoom = 'attribute_not_exists(pk) OR (windowEndsAt > :now AND attempts < :max)';
// The same, for a subject whose earlier failures were forgiven (an operator's recovery): a window
// that began before `notBefore` counts as ended, and is restarted below like one.
const freshWindowOpenWithRoom = 'attribute_not_exists(pk) OR (windowEndsAt > :now AND windowEndsAt >= :fresh AND attempts < :max)';
// Starting a new window after the old one ended: only if nobody else restarted it first.
const windowUnchanged = 'windowEndsAt = :seen';
// Giving a reservation back: only into the window it was taken in (a window restarted since holds
// none of ours), deleting the counter when ours is the only attempt left in it.
const onlyOursLeft = 'windowEndsAt = :window AND attempts = :one';
const othersLeftToo = 'windowEndsAt = :window AND attempts > :one';

/** TTL clean-up margin after a window ends; the window itself is always checked against the clock. */
const TTL_MARGIN_SECONDS = 60;

/**
 * Counts of failed attempts in fixed windows, one item per subject under the store's key prefix
 * (lib/aws/table.ts): failed sign-ins per (email, client address) and per email, wrong current
 * passwords per admin. Items expire through TTL on `expiresAt`, for clean-up only.
 */
export class AttemptStore {
  readonly #db: Database;
  readonly #table: string;
  readonly #prefix: string;

  constructor(db: Database, table: string, keyPrefix: string) {
    this.#db = db;
    this.#table = table;
    this.#prefix = keyPrefix;
  }

  #key(subject: string) {
    return { pk: `${this.#prefix}${subject}` };
  }

  /**
   * One attempt reserved in the subject's window, or refused when the window is full. `notBefore`
   * (epoch ms): windows that began before it count as ended, whatever they hold.
   */
  async reserve(subject: string, now: number, policy: AttemptPolicy, notBefore?: number): Promise<Reservation> {
    const windowEndsAt = now + policy.windowMs;
    // A window began before notBefore exactly when it ends before notBefore + windowMs.
    const fresh = notBefore === undefined ? undefined : notBefore + policy.windowMs;
    const expiresAt = Math.ceil(windowEndsAt / 1000) + TTL_MARGIN_SECONDS;
    // A handful of rounds covers every interleaving of reservation and window restart.
    for (let round = 0; round < 3; round++) {
      try {
        const { Attributes } = await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: this.#key(subject),
            UpdateExpression:
              'ADD attempts :one SET windowEndsAt = if_not_exists(windowEndsAt, :end), expiresAt = if_not_exists(expiresAt, :ttl)',
            ConditionExpression: fresh === undefined ? windowOpenWithRoom : freshWindowOpenWithRoom,
            ExpressionAttributeValues: {
              ':one': 1, ':end': windowEndsAt, ':ttl': expiresAt, ':now': now, ':max': policy.maxAttempts,
              ...(fresh !== undefined && { ':fresh': fresh }),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        // The window the increment landed in: ours if it opened it, else the one already running.
        // (Every engine returns it; the fallback only errs strict: a release then finds no match.)
        return { allowed: true, windowEndsAt: (Attributes?.windowEndsAt as number | undefined) ?? windowEndsAt };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.#db.send(
        new GetCommand({ TableName: this.#table, Key: this.#key(subject), ConsistentRead: true }),
      );
      if (!Item) continue;
      const seen = Item.windowEndsAt as number;
      if (seen > now && (fresh === undefined || seen >= fresh)) return { allowed: false, retryAfterMs: seen - now };
      try {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...this.#key(subject), attempts: 1, windowEndsAt, expiresAt },
            ConditionExpression: windowUnchanged,
            ExpressionAttributeValues: { ':seen': seen },
          }),
        );
        return { allowed: true, windowEndsAt };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error('attempt reservation did not settle');
  }

  /**
   * Gives back one reservation taken in the window ending at `windowEndsAt`: the attempt it was
   * for turned out not to be a failure (a successful sign-in), or was refused by another count
   * before any password was checked. One call when ours is the last attempt in the window, two
   * otherwise. Like the reservation's increment, the decrement is not idempotent: the SDK retrying
   * a decrement whose response was lost gives back one attempt too many (never more than once per
   * lost response).
   */
  async release(subject: string, windowEndsAt: number): Promise<void> {
    const values = { ':window': windowEndsAt, ':one': 1 };
    try {
      await this.#db.send(
        new DeleteCommand({ TableName: this.#table, Key: this.#key(subject), ConditionExpression: onlyOursLeft, ExpressionAttributeValues: values }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key(subject),
          UpdateExpression: 'ADD attempts :minusOne',
          ConditionExpression: othersLeftToo,
          ExpressionAttributeValues: { ...values, ':minusOne': -1 },
        }),
      );
    } catch (error) {
      // The window has been restarted or cleared since: nothing of ours is left to give back.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** A right password forgets the failures that preceded it. */
  async clear(subject: string): Promise<void> {
    await this.#db.send(new DeleteCommand({ TableName: this.#table, Key: this.#key(subject) }));
  }
}
