import {
  AWSPENDING,
  moveCurrentTo,
  RotationError,
  runRotationStep,
  type RotatedSecret,
  type RotationEvent,
  type SecretDescription,
} from '../aws/secrets-manager-rotation.ts';
import { canonicalUuid, keyDigest, newSecret } from '../credentials/secret.ts';
import { locate } from '../credentials/key-set.ts';
import { InvalidServiceToken } from '../errors.ts';
import type { AuditLog } from '../observability/audit.ts';
import type { RequestLogger } from '../observability/logger.ts';
import { authenticateServiceToken, type TokenCheck } from './authenticate.ts';
import { rotateIn } from './rotate.ts';

/*
 * The published service token (docs/token-management.md, "The published service token"): a Secrets
 * Manager secret holding the company's current service token for its consumers, rotated by
 * Secrets Manager's four steps.
 *
 * - createSecret: a fresh random v4 token, written as the AWSPENDING version (once per rotation).
 * - setSecret: the table makes it current; the token current until then (the published one, or one
 *   created before the stage published it) stays valid for the grace period, like a rotation with
 *   `expireAt`. A retry recognises its own token already current and changes nothing.
 * - testSecret: the pending token authenticates as the authorizer checks it, and is current.
 * - finishSecret: AWSCURRENT moves to it.
 *
 * Until finishSecret, consumers read the old token; it is current or in grace, so it works. A
 * rotation that failed after setSecret leaves the old token in grace: the rotation must be retried
 * (Secrets Manager does, with the same token; every step is repeatable) within the grace period.
 *
 * lastUsedAt: testSecret does not record a use (it is not a consumer's), so the listing's
 * lastUsedAt of the new token tells when a consumer first used it.
 */

/** The secret's value until the first rotation publishes a token: plainly not one (not a UUID). */
export const UNPUBLISHED = 'none yet: rotate this secret once the admin account exists';

/** The grace period is a stage parameter in hours: at least 1, at most 7 days (a rotation's bound). */
export const MIN_GRACE_HOURS = 1;
export const MAX_GRACE_HOURS = 168;

/** SERVICE_TOKEN_GRACE_HOURS of the rotation function, checked by hand at cold start; in seconds. */
export function loadGraceSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.SERVICE_TOKEN_GRACE_HOURS ?? '';
  const hours = Number(text);
  if (!/^\d+$/.test(text) || hours < MIN_GRACE_HOURS || hours > MAX_GRACE_HOURS) {
    throw new Error(`Invalid configuration: SERVICE_TOKEN_GRACE_HOURS must be a whole number of hours, ${MIN_GRACE_HOURS} to ${MAX_GRACE_HOURS}`);
  }
  return hours * 3600;
}

export interface PublishedTokenRotation {
  readonly secret: Pick<RotatedSecret, 'describe' | 'value' | 'putPending' | 'moveCurrent'>;
  /** The clock, the logger, the audit log and the token store, as the authorizer has them. */
  readonly runtime: TokenCheck & { readonly logger: Pick<RequestLogger, 'info' | 'warn'>; readonly audit: Pick<AuditLog, 'record'> };
  readonly graceSeconds: number;
}

/** How often setSecret re-reads after a concurrent write of the token set (a revocation) before failing the step. */
export const MAX_SET_TRIES = 5;

/** How the log lines of this rotation name it. */
export const WHAT = 'service token rotation';

/** One step of the published service token's rotation, as Secrets Manager invokes it. */
export function publishedTokenRotationStep(event: RotationEvent, deps: PublishedTokenRotation): Promise<void> {
  return runRotationStep(event, deps.secret, {
    createSecret: (token) => createSecret(token, deps),
    setSecret: (token) => setSecret(token, deps),
    testSecret: (token) => testSecret(token, deps),
    finishSecret: (token, stages) => finishSecret(token, stages, deps),
  }, deps.runtime.logger, WHAT);
}

const V4_TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The token in the pending version, canonical; undefined while the version has no value. */
async function pendingToken(token: string, deps: PublishedTokenRotation): Promise<string | undefined> {
  const value = await deps.secret.value(AWSPENDING, token);
  if (value === undefined) return undefined;
  if (!V4_TOKEN.test(value)) {
    throw new RotationError(`version ${token} of the secret does not hold a service token`);
  }
  return canonicalUuid(value);
}

async function requirePending(token: string, deps: PublishedTokenRotation): Promise<string> {
  const value = await pendingToken(token, deps);
  if (value === undefined) throw new RotationError(`version ${token} of the secret has no value`);
  return value;
}

/** Writes a fresh random token as the token's AWSPENDING version, unless an earlier attempt already did. */
async function createSecret(token: string, deps: PublishedTokenRotation): Promise<void> {
  if ((await pendingToken(token, deps)) !== undefined) {
    deps.runtime.logger.info(`${WHAT}: the pending token exists already`, { versionId: token });
    return;
  }
  // A lost answer is retried by the SDK with the same token and value, which Secrets Manager accepts.
  await deps.secret.putPending(token, newSecret());
  deps.runtime.logger.info(`${WHAT}: pending token written`, { versionId: token });
}

/**
 * Makes the pending token current in the table, the current one (if any) in grace for
 * `graceSeconds`: read, decide, and the rotate-into of a rotation through the API (rotate.ts). Creates and rotations through the API are refused while the token is published, but a
 * revocation of a token in grace (or a use being recorded) may land between the read and the write;
 * the step then decides again on a fresh read.
 */
async function setSecret(token: string, deps: PublishedTokenRotation): Promise<void> {
  const { runtime, graceSeconds } = deps;
  const digest = keyDigest(await requirePending(token, deps));
  for (let tries = 1; ; tries++) {
    const state = await runtime.serviceTokens.read();
    if (!state) throw new RotationError('there is no admin account yet: create it, then rotate the secret');
    const now = runtime.clock.now();
    const at = locate(state.tokens, digest, now);
    if (at.standing === 'active') {
      // An earlier attempt of this step got there: its id and the old token's grace stay as they are.
      runtime.logger.info(`${WHAT}: the pending token is current already`, { versionId: token, tokenId: at.key.id });
      return;
    }
    if (at.standing !== 'unknown') {
      throw new RotationError('the pending token was current once and has been replaced since: start a new rotation');
    }
    const previous = state.tokens.active[0];
    const id = await rotateIn(runtime.serviceTokens, state, previous, digest, now, graceSeconds);
    if (id !== undefined) {
      runtime.audit.record('service_token.rotated', {
        outcome: 'success', actor: 'system', companyId: state.companyId, tokenIds: previous ? [id, previous.id] : [id], graceSeconds,
      });
      return;
    }
    if (tries >= MAX_SET_TRIES) throw new RotationError(`the token set changed under ${tries} attempts in a row`);
  }
}

/** The pending token authenticates as the authorizer checks a Bearer, and is the current token. */
async function testSecret(token: string, deps: PublishedTokenRotation): Promise<void> {
  const pending = await pendingToken(token, deps);
  if (pending === undefined) {
    // RotateSecret without RotateImmediately (the stack's RotationSchedule) tests the configuration
    // by calling testSecret on an empty pending version: there is no token to test yet.
    deps.runtime.logger.info(`${WHAT}: the pending version has no token yet, nothing to test`, { versionId: token });
    return;
  }
  await expectCurrent(pending, deps);
}

async function expectCurrent(pending: string, deps: PublishedTokenRotation): Promise<string> {
  try {
    // Not a consumer's use: lastUsedAt stays as it is.
    const principal = await authenticateServiceToken(deps.runtime, pending, { recordUse: false });
    if (principal.at.standing !== 'active') throw new RotationError('the pending token is valid but not the current token');
    return principal.at.key.id;
  } catch (error) {
    if (error instanceof InvalidServiceToken) throw new RotationError('the pending token does not authenticate');
    throw error;
  }
}

/**
 * Publishes the pending token: AWSCURRENT moves to it. Checked once more just before, so the
 * secret never publishes a token that does not work.
 */
async function finishSecret(token: string, versionStages: SecretDescription['versionStages'], deps: PublishedTokenRotation): Promise<void> {
  const id = await expectCurrent(await requirePending(token, deps), deps);
  await moveCurrentTo(deps.secret, token, versionStages);
  deps.runtime.logger.info(`${WHAT}: published`, { versionId: token, tokenId: id });
}
