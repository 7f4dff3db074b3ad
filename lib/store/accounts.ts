import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccountAlreadyExists } from '../errors.ts';
import { isConditionFailure } from './conditions.ts';

/** The instance's company and its admin. One per instance, so one item with a fixed key. */
export interface Account {
  readonly companyId: string;
  readonly companyName: string;
  readonly adminId: string;
  readonly email: string;
  readonly firstName: string;
  readonly passwordHash: string;
  readonly credentialVersion: number;
  readonly createdAt: string;
}

export const ACCOUNT_KEY = { pk: 'ACCOUNT' } as const;

// Only one company can exist per instance: the first conditional put wins, every later (or
// concurrent) one fails this condition. No read-then-write window exists.
const accountDoesNotExist = 'attribute_not_exists(pk)';

export class AccountStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
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
      const existing = await this.get();
      if (existing?.adminId !== account.adminId) throw new AccountAlreadyExists();
    }
  }

  /** Strongly consistent: a password reset or sign-up is visible to the very next request. */
  async get(): Promise<Account | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: ACCOUNT_KEY, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, ...account } = Item;
    return account as Account;
  }
}
