import { loadGraceSeconds, publishedTokenRotationStep, WHAT } from '../lib/service-token/published-rotation.ts';
import { rotationHandler } from '../lib/wiring/rotation.ts';
import { tokenRuntimeFromEnvironment, type TokenRuntime } from '../lib/wiring/token-runtime.lean.ts';

/**
 * Secrets Manager's rotation of the published service token (docs/token-management.md, "The
 * published service token"), invoked by Secrets Manager only, once per step.
 */
export const createHandler = (runtime: TokenRuntime, graceSeconds: number) =>
  rotationHandler(WHAT, runtime.logger, (event, secret) => publishedTokenRotationStep(event, { secret, runtime, graceSeconds }));

export const handler = createHandler(tokenRuntimeFromEnvironment(), loadGraceSeconds(process.env));
