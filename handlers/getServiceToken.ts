import { json } from '../lib/http/response.ts';
import { describeToken } from '../lib/service-token/authenticate.ts';
import { handlerFor, tokenRoute } from '../lib/wiring/route.lean.ts';
import { tokenRuntimeFromEnvironment } from '../lib/wiring/token-runtime.lean.ts';

/**
 * GET /api/v2/service-token — behind the service-token authorizer: the presented token's company,
 * creation time and expiry (null while current), never a token value. It checks the token itself
 * too (one read), because a direct invocation does not pass through the authorizer.
 */
export const route = tokenRoute({
  async run({ principal }) {
    return json(200, { data: describeToken(principal) });
  },
});

export const handler = handlerFor(route, tokenRuntimeFromEnvironment());
