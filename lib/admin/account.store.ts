import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Database } from '../aws/dynamodb.ts';
import { AccountAlreadyExists } from '../errors.ts';
import { ACCOUNT_KEY } from '../aws/table.ts';
import { isConditionFailure, mayBeOwnRetriedWrite } from '../aws/conditions.ts';

/** The instance's company, its admin and its service tokens. One per instance, so one item with a fixed key. */
export interface Account {
  readonly companyId: string;
  readonly companyName: string;
  readonly adminId: string;
  readonly email: string;
  readonly firstName: string;
  readonly passwordHash: string;
  readonly credentialVersion: number;
  readonly createdAt: string;
  /**
   * When the operator last recovered admin access (lib/admin/recovery.ts): failed sign-ins and
   * reset attempts counted before it no longer lock the admin out.
   */
  readonly recoveredAt?: string;
  /**
   * The company's service tokens live in this item too, in the shape lib/service-token/token.store.ts
   * alone reads and writes (`tokenState` turns them into a token set).
   */
  readonly serviceTokens?: unknown;
  readonly tokenRevision?: number;
}

// Only one company can exist per instance: the first conditional put wins, every later (or
// concurrent) one fails this condition. No read-then-write window exists.
const accountDoesNotExist = 'attribute_not_exists(pk)';
// A password change goes through only from the credential version it was decided on: a concurrent
// reset (or a JWT issued before one) cannot change the password again.
const credentialsUnchanged = 'adminId = :adminId AND credentialVersion = :seen';

export class AccountStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, table: string) {
    this.#db = db;
    this.#table = table;
  }

  async create(account: Account): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...ACCOUNT_KEY, ...account },
          ConditionExpression: accountDoesNotExist,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The SDK retries a put whose response was lost; the retry then fails the condition on our
      // own item. That is a success, not a conflict.
      if (!mayBeOwnRetriedWrite(error) || (await this.get())?.adminId !== account.adminId) throw new AccountAlreadyExists();
    }
  }

  /** Strongly consistent: a password reset or sign-up is visible to the very next request. */
  async get(): Promise<Account | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: ACCOUNT_KEY, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, ...account } = Item;
    return account as Account;
  }

  /**
   * Stores a new password hash and bumps the credential version, which revokes every admin JWT
   * issued before (reset-password.ts); with `recoveredAt` (the operator's recovery, recovery.ts),
   * records that time in the same write. False when the credentials changed since `seenVersion` was read.
   */
  async changePassword(adminId: string, seenVersion: number, passwordHash: string, recoveredAt?: string): Promise<boolean> {
    const values = { ':adminId': adminId, ':seen': seenVersion, ':next': seenVersion + 1, ':hash': passwordHash };
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: ACCOUNT_KEY,
          UpdateExpression: `SET passwordHash = :hash, credentialVersion = :next${recoveredAt === undefined ? '' : ', recoveredAt = :recoveredAt'}`,
          ConditionExpression: credentialsUnchanged,
          ExpressionAttributeValues: recoveredAt === undefined ? values : { ...values, ':recoveredAt': recoveredAt },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // As in create(): a retried write that had landed finds our own hash, and that is a success.
      return mayBeOwnRetriedWrite(error) && (await this.get())?.passwordHash === passwordHash;
    }
  }
}
