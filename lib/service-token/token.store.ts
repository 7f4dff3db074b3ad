import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_KEY } from '../aws/table.ts';
import type { Database } from '../aws/dynamodb.ts';
import { isConditionFailure, mayBeOwnRetriedWrite } from '../aws/conditions.ts';
import { legacyTokenId } from './token.ts';

/**
 * A service token as stored: its id and SHA-256 digest, never its value. Times in epoch
 * milliseconds. `lastUsedAt`: when it last authenticated a request, recorded at most once per
 * LAST_USED_PRECISION_MS (absent: never, or not since ids and use times were recorded).
 */
export interface StoredToken {
  readonly id: string;
  readonly digest: string;
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

/** A rotated-out (or revoked) token, valid until `expiresAt`, decided at read time against the clock. */
export interface RetiredToken extends StoredToken {
  readonly expiresAt: number;
}

/**
 * The company's service tokens: at most one current (none after the current one was revoked, until
 * the next create), and the rotated-out ones, valid or kept as tombstones.
 */
export interface TokenSet {
  readonly current?: StoredToken | undefined;
  readonly retired: readonly RetiredToken[];
}

/** The token set as read, with the revision a conditional write must still find. */
export interface TokenState {
  readonly companyId: string;
  readonly tokens: TokenSet | undefined;
  readonly revision: number;
}

/** Where one token sits in the stored set: the current slot, or an index of `retired`. */
export type TokenPlace = 'current' | number;

/** `lastUsedAt` is written at most once per token per this interval: its precision. */
export const LAST_USED_PRECISION_MS = 5 * 60 * 1000;
/** The longest a request waits for its use to be recorded (attempts and back-off included). */
export const RECORD_USE_TIMEOUT_MS = 1000;

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
  'companyId = :companyId AND (attribute_not_exists(serviceTokens) OR attribute_not_exists(serviceTokens.#current) ' +
  'OR serviceTokens.#current.digest <> :digest OR size(serviceTokens.retired) > :zero)';

// Rotation is read-modify-write: the write goes through only if nobody wrote the set since it was
// read, so two rotations of one token cannot both succeed, and a concurrent upsert is never undone.
const tokensUnchangedSinceRead = 'companyId = :companyId AND tokenRevision = :seen';
const noTokensYet = 'companyId = :companyId AND attribute_not_exists(tokenRevision)';

// Recording a use touches one token's `lastUsedAt` (and stores its id if it predates ids), nothing
// else, and only while that very token still sits at the place it was read from (its digest is its
// identity), and only when the recorded use is stale. It never changes what is valid, and never
// bumps the revision, so it cannot undo, or make fail, a concurrent create, rotation or revocation:
// if one of them moved or removed the token first, this write finds another digest (or none) there
// and does nothing. The other way round, a rotation or revocation that read the set before this
// write rewrites the set without it; the use is then recorded again at the next request, since the
// value left behind is stale.
const stillThereAndStale = '#slot.digest = :digest AND (attribute_not_exists(#slot.lastUsedAt) OR #slot.lastUsedAt <= :staleBefore)';
const stillValid = ' AND #slot.expiresAt > :now';

export class ServiceTokenStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, table: string) {
    this.#db = db;
    this.#table = table;
  }

  /** Makes `token` the only token. The caller has just read the account, which is never deleted. */
  async replace(companyId: string, token: StoredToken): Promise<void> {
    const tokens: TokenSet = { current: token, retired: [] };
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: 'SET serviceTokens = :tokens, tokenRevision = if_not_exists(tokenRevision, :zero) + :one',
          ConditionExpression: upsertChangesSomething,
          ExpressionAttributeNames: { '#current': 'current' },
          ExpressionAttributeValues: { ':companyId': companyId, ':tokens': tokens, ':digest': token.digest, ':zero': 0, ':one': 1 },
        }),
      );
    } catch (error) {
      // The submitted token is already the only one: the documented no-op.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Writes `tokens` if the set is still at `seenRevision`; false when another write got there first.
   * `landed` tells, from a fresh read, whether a write the SDK retried had in fact landed.
   */
  async write(companyId: string, seenRevision: number, tokens: TokenSet, landed: (now: TokenSet | undefined) => boolean): Promise<boolean> {
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
      return mayBeOwnRetriedWrite(error) && landed((await this.read())?.tokens);
    }
  }

  /**
   * Records that the token at `place` (whose digest is `token.digest`) authenticated a request at
   * `now`, if its recorded use is older than LAST_USED_PRECISION_MS; false when the condition
   * decided against writing (recorded meanwhile, or the token moved or went).
   */
  async recordUse(place: TokenPlace, token: StoredToken, now: number): Promise<boolean> {
    // Bookkeeping on the authorizer's path: bounded far below the other calls' ~6 s (BOUNDED_CALLS),
    // so a slow or failing engine costs a request at most RECORD_USE_TIMEOUT_MS more, never a timeout.
    const path = place === 'current' ? 'serviceTokens.#current' : `serviceTokens.retired[${place}]`;
    // A timer cleared when the call settles, not AbortSignal.timeout(): that one stays armed for
    // its full second after every call, and cost ~0.03x of the authorizer's warm CPU (npm run bench).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`lastUsedAt write exceeded ${RECORD_USE_TIMEOUT_MS} ms`)), RECORD_USE_TIMEOUT_MS);
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: `SET ${path}.lastUsedAt = :now, ${path}.id = if_not_exists(${path}.id, :id)`,
          ConditionExpression: (stillThereAndStale + (place === 'current' ? '' : stillValid)).replaceAll('#slot', path),
          ...(place === 'current' ? { ExpressionAttributeNames: { '#current': 'current' } } : {}),
          ExpressionAttributeValues: {
            ':digest': token.digest,
            ':id': token.id,
            ':now': now,
            ':staleBefore': now - LAST_USED_PRECISION_MS,
          },
        }),
        { abortSignal: deadline.signal },
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    } finally {
      clearTimeout(timer);
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

/** A token as an item may hold it: written before ids existed, it has none. */
type StoredShape<T extends StoredToken> = Omit<T, 'id'> & { readonly id?: string };

/** The token part of an account item, every token with its id (derived, for one stored without). */
export function tokenState(item: {
  companyId: string;
  serviceTokens?: { current?: StoredShape<StoredToken>; retired: readonly StoredShape<RetiredToken>[] };
  tokenRevision?: number;
}): TokenState {
  const stored = item.serviceTokens;
  const tokens = stored && {
    ...(stored.current ? { current: withId(stored.current) } : {}),
    retired: stored.retired.map(withId),
  };
  return { companyId: item.companyId, tokens, revision: item.tokenRevision ?? 0 };
}

function withId<T extends StoredToken>(token: StoredShape<T>): T {
  return (token.id === undefined ? { ...token, id: legacyTokenId(token.digest) } : token) as T;
}
