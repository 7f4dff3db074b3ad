import { v4 as uuidv4 } from 'uuid';
import { AccountAlreadyExists } from '../errors.ts';
import type { AuditLog } from '../observability/audit.ts';
import type { Clock } from '../runtime/clock.ts';
import type { AccountStore } from './account.store.ts';
import type { SignUpBody } from './bodies.ts';
import type { AdminJwt } from './jwt.ts';
import { hashPassword } from './password.ts';

export interface SignUpDeps {
  readonly accounts: AccountStore;
  readonly jwt: Pick<AdminJwt, 'issue'>;
  readonly clock: Clock;
  readonly audit: Pick<AuditLog, 'record'>;
}

/** Creates the instance's company and first admin, and signs the admin in. */
export async function createAdminAccount(deps: SignUpDeps, body: SignUpBody): Promise<string> {
  // Cheap refusal first: argon2id is deliberately expensive, and this endpoint is unauthenticated.
  // The conditional put below is what actually guarantees a single account under concurrency.
  if (await deps.accounts.get()) throw new AccountAlreadyExists();
  const account = {
    companyId: uuidv4(),
    companyName: body.companyName,
    adminId: uuidv4(),
    email: body.email,
    firstName: body.firstName,
    passwordHash: await hashPassword(body.password),
    credentialVersion: 1,
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  await deps.accounts.create(account);
  deps.audit.record('account.created', { outcome: 'success', actor: 'anonymous', companyId: account.companyId, adminId: account.adminId });
  return deps.jwt.issue(account);
}
