import { bearerToken } from '../lib/http/request.ts';
import { json } from '../lib/http/response.ts';
import { lambda } from '../lib/http/pipeline.lean.ts';
import { authenticateServiceToken, describeToken } from '../lib/service-token/authenticate.ts';
import { tokenRuntimeFromEnvironment, type TokenRuntime } from '../lib/runtime/token-runtime.lean.ts';

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
