import type { AuditLog } from '../observability/audit.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  AWSCURRENT,
  AWSPENDING,
  moveCurrentTo,
  RotationError,
  runRotationStep,
  type RotatedSecret,
  type RotationEvent,
  type SecretDescription,
} from '../aws/secrets-manager-rotation.ts';
import type { Clock } from '../runtime/clock.ts';
import { parseKeySet, rotateKeySet, serializeKeySet, type KeySet } from './signing-key.ts';

export type RotationLog = Pick<Logger, 'info' | 'error'>;

/** How the log lines of this rotation name it. */
export const WHAT = 'signing key rotation';

export interface RotationDeps {
  readonly secret: Pick<RotatedSecret, 'describe' | 'value' | 'putPending' | 'moveCurrent'>;
  readonly clock: Clock;
  readonly log: RotationLog;
  readonly audit: Pick<AuditLog, 'record'>;
}

/**
 * One step of Secrets Manager's rotation of the signing key set, after the rotation template's
 * checks (runRotationStep). Until finishSecret moves AWSCURRENT, the functions see only the old set,
 * so a failure at any step leaves the old key current and every JWT valid.
 */
export function signingKeyRotationStep(event: RotationEvent, deps: RotationDeps): Promise<void> {
  return runRotationStep(event, deps.secret, {
    createSecret: (token) => createSecret(token, deps),
    // The key set has no other home to update: the functions read it from this secret.
    setSecret: async () => {},
    testSecret: (token) => testSecret(token, deps),
    finishSecret: (token, versionStages) => finishSecret(token, versionStages, deps),
  }, deps.log, WHAT);
}

async function currentSet(deps: RotationDeps): Promise<KeySet> {
  const text = await deps.secret.value(AWSCURRENT);
  if (text === undefined) throw new RotationError('the secret has no AWSCURRENT value');
  return parseKeySet(text, 'AWSCURRENT');
}

async function pendingSet(token: string, deps: RotationDeps): Promise<KeySet> {
  const text = await deps.secret.value(AWSPENDING, token);
  if (text === undefined) throw new RotationError(`version ${token} of the secret has no value`);
  return parseKeySet(text, 'AWSPENDING');
}

/** Writes the rotated set as the token's AWSPENDING version, unless an earlier attempt already did. */
async function createSecret(token: string, deps: RotationDeps): Promise<void> {
  const current = await currentSet(deps);
  if ((await deps.secret.value(AWSPENDING, token)) !== undefined) {
    deps.log.info(`${WHAT}: the pending key set exists already`, { versionId: token });
    return;
  }
  const next = rotateKeySet(current, new Date(deps.clock.now()));
  await deps.secret.putPending(token, serializeKeySet(next));
  deps.log.info(`${WHAT}: pending key set written`, { versionId: token, pendingKid: next.current });
}

/**
 * The pending set must serve every JWT valid now: it holds the current set's signing key (same kid,
 * same bytes); and its own signing key is another one. parseKeySet has checked the format and sizes.
 */
async function testSecret(token: string, deps: RotationDeps): Promise<void> {
  // Configuring rotation without rotating at once (the stack's RotateImmediatelyOnUpdate: false)
  // makes Secrets Manager test the configuration: it runs testSecret alone on an AWSPENDING version
  // without a value, then removes it. There is nothing to test then, and failing would fail the
  // deployment that creates the rotation schedule.
  if ((await deps.secret.value(AWSPENDING, token)) === undefined) {
    deps.log.info(`${WHAT}: testSecret on a pending version without a value (a configuration test), nothing to test`, { versionId: token });
    return;
  }
  const [current, pending] = [await currentSet(deps), await pendingSet(token, deps)];
  const signing = current.keys.find((key) => key.kid === current.current)!;
  const kept = pending.keys.find((key) => key.kid === signing.kid);
  if (!kept || !Buffer.from(kept.key).equals(Buffer.from(signing.key))) {
    throw new RotationError(`the pending key set does not hold the current signing key ${signing.kid}`);
  }
  if (pending.current === current.current) throw new RotationError('the pending key set signs with the current key');
}

/** Moves AWSCURRENT to the token's version; the functions pick the new set up within minutes. */
async function finishSecret(token: string, versionStages: SecretDescription['versionStages'], deps: RotationDeps): Promise<void> {
  const pending = await pendingSet(token, deps);
  await moveCurrentTo(deps.secret, token, versionStages);
  deps.audit.record('signing_key.rotated', { outcome: 'success', actor: 'system', keyId: pending.current });
  deps.log.info(`${WHAT}: finished`, {
    versionId: token,
    previousKid: pending.keys[pending.keys.findIndex((key) => key.kid === pending.current) - 1]?.kid,
  });
}
