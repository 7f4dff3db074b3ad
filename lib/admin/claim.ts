import { hash, timingSafeEqual } from 'node:crypto';
import { ClaimByInvocationOnly, SetupCodeRequired } from '../errors.ts';
import { readSecretString } from '../aws/secrets-manager.ts';
import type { Clock } from '../runtime/clock.ts';
import { ConfigError, type ClaimMode, type Config } from '../runtime/config.ts';

/**
 * Who may claim the instance, i.e. create its company and first admin (`POST /api/v2/admin-account`).
 * In the vendor's design the first caller wins, which on a fresh public deployment is whoever finds
 * it first. The stage parameter claimMode chooses (docs/deployment.md, "Claiming the instance"):
 * - `setupCode` (the default of deployed stages): the claim carries the header `X-Setup-Code`
 *   with the code the stack generated in Secrets Manager, readable only by whoever administers
 *   the stack (and by this function);
 * - `iam`: only a direct invocation (`lambda:InvokeFunction`, an IAM permission) may claim;
 * - `open`: the vendor's behaviour, what `npm start` uses.
 * The check is the route's credential: it runs before the body is looked at, and a refusal writes
 * nothing. The code needs no burning of its own: once the account exists, the one-account
 * invariant (the conditional put in account.store.ts) refuses every later claim, code or not.
 */
export const SETUP_CODE_HEADER = 'x-setup-code';

/**
 * How long a container keeps the code it read. Bounded, so that a code replaced in Secrets Manager
 * (docs/operations.md) is honoured within a minute without a redeployment; long enough that a
 * burst of refused claims costs one read, not one each.
 */
const SETUP_CODE_MAX_AGE_MS = 60_000;

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/** What a claim's check reads of a request (lib/http/request.ts's ApiRequest has it). */
export interface ClaimRequest {
  /** `direct` only for an event that does not look like API Gateway's. */
  readonly source: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
}

export class ClaimPolicy {
  readonly mode: ClaimMode | undefined;
  readonly #readCode: () => Promise<string>;
  readonly #clock: Clock;
  #cached: { readonly digest: Buffer; readonly readAt: number } | undefined;

  constructor(mode: ClaimMode | undefined, readCode: () => Promise<string>, clock: Clock) {
    this.mode = mode;
    this.#readCode = readCode;
    this.#clock = clock;
  }

  /** Refuses a claim that lacks the proof this mode asks for; resolves when it may go on. */
  async authorize(request: ClaimRequest): Promise<void> {
    switch (this.mode) {
      case 'open':
        return;
      case 'iam':
        // An event API Gateway built always looks like one (lib/http/request.ts), so an HTTP caller
        // can never pass for a direct one; a direct invoker imitating API Gateway is refused too.
        if (request.source !== 'direct') throw new ClaimByInvocationOnly();
        return;
      case 'setupCode': {
        const given = request.headers[SETUP_CODE_HEADER];
        if (given === undefined || !(await this.#matches(given))) throw new SetupCodeRequired();
        return;
      }
      default:
        // Unreachable in a deployed function (claimPolicy refuses to build it at cold start).
        throw new ConfigError('Invalid configuration: CLAIM_MODE is not set');
    }
  }

  /** Compared as SHA-256 digests in constant time: neither the code's length nor its prefix leaks through timing. */
  async #matches(given: string): Promise<boolean> {
    const now = this.#clock.now();
    if (this.#cached === undefined || now - this.#cached.readAt >= SETUP_CODE_MAX_AGE_MS) {
      this.#cached = { digest: digest(await this.#readCode()), readAt: now };
    }
    return timingSafeEqual(digest(given), this.#cached.digest);
  }
}

/** The container's claim policy, from its configuration; the secret is read at the first claim only. */
export function claimPolicy(config: Pick<Config, 'claim' | 'region'>, clock: Clock): ClaimPolicy {
  const { mode, setupCodeSecretArn } = config.claim;
  return new ClaimPolicy(mode, () => readSecretString(setupCodeSecretArn!, config.region, 'SETUP_CODE_SECRET_ARN'), clock);
}

/**
 * For createAdminAccount's cold start: the function that claims must know its mode, so a deployment
 * that lost CLAIM_MODE fails to start, naming it, rather than answering every claim with a 500.
 */
export function requireClaimMode(config: Pick<Config, 'claim'>): void {
  if (config.claim.mode === undefined) throw new ConfigError('Invalid configuration: CLAIM_MODE is required (setupCode, iam or open)');
}
