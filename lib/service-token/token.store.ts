import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_KEY } from '../aws/table.ts';
import type { Database } from '../aws/dynamodb.ts';
import { isConditionFailure, mayBeOwnRetriedWrite } from '../aws/conditions.ts';
import { EMPTY_KEY_SET, type Key, type KeySet, type Located, type Retired } from '../credentials/key-set.ts';
import { RECORD_USE_TIMEOUT_MS, staleBefore } from '../credentials/last-used.ts';
import { legacyTokenId } from './token.ts';

/** The company's service tokens as the credential engine sees them: at most one active (current). */
export type TokenSet = KeySet;

/** The token set as read, with the revision a conditional write must still find. */
export interface TokenState {
  readonly companyId: string;
  readonly tokens: TokenSet;
  readonly revision: number;
}

/** A token found in the set it was read from: what recording its use needs. */
export type TokenPlace = Extract<Located, { standing: 'active' | 'grace' }>;

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
  async replace(companyId: string, token: Key): Promise<void> {
    const tokens: StoredTokens = { current: token, retired: [] };
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
  async write(companyId: string, seenRevision: number, tokens: TokenSet, landed: (now: TokenSet) => boolean): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: 'SET serviceTokens = :tokens, tokenRevision = :next',
          ConditionExpression: seenRevision === 0 ? noTokensYet : tokensUnchangedSinceRead,
          ExpressionAttributeValues: {
            ':companyId': companyId,
            ':tokens': storedTokens(tokens),
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
      return mayBeOwnRetriedWrite(error) && landed((await this.read())?.tokens ?? EMPTY_KEY_SET);
    }
  }

  /**
   * Records that the token found at `place` authenticated a request at `now`, if its recorded use
   * is stale (lib/credentials/last-used.ts); false when the condition decided against writing
   * (recorded meanwhile, or the token moved or went).
   */
  async recordUse(place: TokenPlace, now: number): Promise<boolean> {
    const { key: token } = place;
    // Bookkeeping on the authorizer's path: bounded far below the other calls' ~6 s (BOUNDED_CALLS),
    // so a slow or failing engine costs a request at most RECORD_USE_TIMEOUT_MS more, never a timeout.
    const current = place.standing === 'active';
    const path = current ? 'serviceTokens.#current' : `serviceTokens.retired[${place.index}]`;
    // A timer cleared when the call settles, not AbortSignal.timeout(): that one stays armed for
    // its full second after every call, which showed in the authorizer's warm CPU (docs/performance.md).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`lastUsedAt write exceeded ${RECORD_USE_TIMEOUT_MS} ms`)), RECORD_USE_TIMEOUT_MS);
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: `SET ${path}.lastUsedAt = :now, ${path}.id = if_not_exists(${path}.id, :id)`,
          ConditionExpression: (stillThereAndStale + (current ? '' : stillValid)).replaceAll('#slot', path),
          ...(current ? { ExpressionAttributeNames: { '#current': 'current' } } : {}),
          ExpressionAttributeValues: {
            ':digest': token.digest,
            ':id': token.id,
            ':now': now,
            ':staleBefore': staleBefore(now),
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
    return tokenState(Item as TokenHolder);
  }
}

/** A token as an item may hold it: written before ids existed, it has none. */
type StoredShape<T extends Key> = Omit<T, 'id'> & { readonly id?: string };

/** The `serviceTokens` attribute: the current token (none after it was revoked) and the retired ones. */
interface StoredTokens {
  readonly current?: StoredShape<Key> | undefined;
  readonly retired: readonly StoredShape<Retired>[];
}

/** What an item holding the company's tokens has: the account item, as the admin side reads it too. */
export interface TokenHolder {
  readonly companyId: string;
  readonly serviceTokens?: unknown;
  readonly tokenRevision?: number;
}

function storedTokens(set: TokenSet): StoredTokens {
  // One current token at most: the item has one place for it.
  if (set.active.length > 1) throw new Error('a service token set holds at most one current token');
  return { current: set.active[0], retired: set.retired };
}

/** The token part of an account item, every token with its id (derived, for one stored without). */
export function tokenState(item: TokenHolder): TokenState {
  const stored = item.serviceTokens as StoredTokens | undefined;
  const tokens = stored
    ? { active: stored.current ? [withId(stored.current)] : [], retired: stored.retired.map(withId) }
    : EMPTY_KEY_SET;
  return { companyId: item.companyId, tokens, revision: item.tokenRevision ?? 0 };
}

function withId<T extends Key>(token: StoredShape<T>): T {
  return (token.id === undefined ? { ...token, id: legacyTokenId(token.digest) } : token) as T;
}
