import { bearerToken, json } from '../lib/http.ts';
import { lambda } from '../lib/lambda-core.ts';
import { authenticateServiceToken, describeToken } from '../lib/service-token-auth.ts';
import { tokenRuntimeFromEnvironment, type TokenRuntime } from '../lib/token-runtime.ts';

/**
 * GET /api/v2/service-token — behind the service-token authorizer: the presented token's company,
 * creation time and expiry (null while current), never a token value. It checks the token itself
 * too (one read), because a direct invocation does not pass through the authorizer.
 */
export const createHandler = (runtime: TokenRuntime) =>
  lambda(runtime, async (request) => {
    const principal = await authenticateServiceToken(runtime, bearerToken(request));
    return json(200, { data: describeToken(principal) });
  });

export const handler = createHandler(tokenRuntimeFromEnvironment());
