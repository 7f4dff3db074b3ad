import type { APIGatewaySimpleAuthorizerWithContextResult, Context } from 'aws-lambda';
import { AuthenticationError } from '../lib/errors.ts';
import { bearerToken, normalizeEvent } from '../lib/http/request.ts';
import { authenticateServiceToken, describeToken } from '../lib/service-token/authenticate.ts';
import { tokenRuntimeFromEnvironment, type TokenRuntime } from '../lib/wiring/token-runtime.lean.ts';

/** Authorizer context values must be scalars: `expiresAt` is left out while the token is current. */
export type AuthorizerContext = { companyId: string; id: string; createdAt: string; expiresAt?: string };
export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext | Record<string, never>>;

/**
 * HTTP API Lambda authorizer (REQUEST type, payload 2.0, simple responses) for service-level
 * routes: allows the current service token and tokens inside their grace window, denies the rest.
 * One strongly consistent read per request; API Gateway result caching is off (serverless.yml),
 * because a cached allow would outlive a revocation.
 */
export const createHandler = (runtime: TokenRuntime) => {
  let notSelfHostedLogged = false;
  return async (event: unknown, context?: Context): Promise<AuthorizerResult> => {
    // Fails closed, but not as a denial: a 401/403 would read as "bad token" to every consumer.
    // Throwing makes API Gateway answer its own 500. Logged once per container, not per request.
    if (!runtime.config.selfHosted) {
      if (!notSelfHostedLogged) {
        runtime.logger.error('SELF_HOSTED is false: the service-token authorizer fails every request (API Gateway answers 500)');
        notSelfHostedLogged = true;
      }
      throw new Error('not a self-hosted deployment');
    }
    try {
      const principal = await authenticateServiceToken(runtime, bearerToken(normalizeEvent(event)));
      const { expiresAt, ...described } = describeToken(principal);
      runtime.metrics.count('AuthorizerAllow');
      return { isAuthorized: true, context: expiresAt === null ? described : { ...described, expiresAt } };
    } catch (error) {
      if (error instanceof AuthenticationError) {
        runtime.metrics.count('AuthorizerDeny');
        return { isAuthorized: false, context: {} };
      }
      // Not a denial: a failing store must not look like a bad token. API Gateway answers 500.
      runtime.metrics.count('AuthorizerError');
      runtime.logger.error('authorizer failure', error instanceof Error ? error : String(error));
      throw error;
    } finally {
      runtime.metrics.flush(context?.functionName);
    }
  };
};

export const handler = createHandler(tokenRuntimeFromEnvironment());
