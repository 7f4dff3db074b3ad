import type { Logger } from '@aws-lambda-powertools/logger';
import { AWSCURRENT, AWSPENDING, type RotatedSecret } from '../aws/secrets-manager.ts';
import type { Clock } from '../runtime/clock.ts';
import { parseKeySet, rotateKeySet, serializeKeySet, type KeySet } from './signing-key.ts';

/** What Secrets Manager sends the rotation function, once per step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

export type RotationLog = Pick<Logger, 'info' | 'error'>;

export interface RotationDeps {
  readonly secret: Pick<RotatedSecret, 'describe' | 'value' | 'putPending' | 'moveCurrent'>;
  readonly clock: Clock;
  readonly log: RotationLog;
}

/** A rotation step that must not go on; Secrets Manager records the failure and retries the rotation later. */
export class RotationError extends Error {
  override readonly name = 'RotationError';
}

/**
 * One step of Secrets Manager's rotation of the signing key set, as its rotation template does it:
 * every step first checks that rotation is enabled, that the token is a version of this secret, and
 * that it is AWSPENDING (a version already AWSCURRENT means the rotation is over: nothing to do).
 * Every step can be repeated: Secrets Manager retries failed steps with the same token. Until
 * finishSecret moves AWSCURRENT, the functions see only the old set, so a failure at any step leaves
 * the old key current and every JWT valid.
 */
export async function rotationStep(event: RotationEvent, deps: RotationDeps): Promise<void> {
  const { ClientRequestToken: token, Step: step } = event;
  const { rotationEnabled, versionStages } = await deps.secret.describe();
  if (!rotationEnabled) throw new RotationError('rotation is not enabled on the secret');
  const stages = versionStages[token];
  if (!stages) throw new RotationError(`version ${token} of the secret has no stage for rotation`);
  if (stages.includes(AWSCURRENT)) {
    deps.log.info('signing key rotation: version already AWSCURRENT, nothing to do', { step, versionId: token });
    return;
  }
  if (!stages.includes(AWSPENDING)) throw new RotationError(`version ${token} of the secret is not AWSPENDING`);

  switch (step) {
    case 'createSecret':
      return createSecret(token, deps);
    case 'setSecret':
      // The key set has no other home to update: the functions read it from this secret.
      return;
    case 'testSecret':
      return testSecret(token, deps);
    case 'finishSecret':
      return finishSecret(token, versionStages, deps);
    default:
      throw new RotationError(`unknown rotation step ${JSON.stringify(step)}`);
  }
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
    deps.log.info('signing key rotation: the pending key set exists already', { versionId: token });
    return;
  }
  const next = rotateKeySet(current, new Date(deps.clock.now()));
  await deps.secret.putPending(token, serializeKeySet(next));
  deps.log.info('signing key rotation: pending key set written', { versionId: token, pendingKid: next.current });
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
    deps.log.info('signing key rotation: testSecret on a pending version without a value (a configuration test), nothing to test', { versionId: token });
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
async function finishSecret(token: string, versionStages: Readonly<Record<string, readonly string[]>>, deps: RotationDeps): Promise<void> {
  const pending = await pendingSet(token, deps);
  const from = Object.keys(versionStages).find((id) => versionStages[id]!.includes(AWSCURRENT));
  if (!from) throw new RotationError('no version of the secret is AWSCURRENT');
  try {
    await deps.secret.moveCurrent(token, from);
  } catch (error) {
    // The move may have happened with its answer lost (the SDK's retry is then refused, since
    // AWSCURRENT is no longer on `from`): look before failing the step.
    const after = await deps.secret.describe();
    if (!after.versionStages[token]?.includes(AWSCURRENT)) throw error;
  }
  deps.log.info('signing_key.rotated', {
    audit: 'signing_key.rotated',
    time: new Date(deps.clock.now()).toISOString(),
    outcome: 'success',
    actor: 'system',
    source: 'direct',
    kid: pending.current,
    previousKid: pending.keys[pending.keys.findIndex((key) => key.kid === pending.current) - 1]?.kid,
    versionId: token,
  });
}
