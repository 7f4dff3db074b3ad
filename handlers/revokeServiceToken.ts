import { json } from '../lib/http/response.ts';
import { operationHandler, type Operation } from '../lib/http/operation.ts';
import { authenticateTokenManagement, revokeServiceTokens, type TokenManagementPrincipal } from '../lib/service-token/manage.ts';
import { refuseRevokingPublished } from '../lib/service-token/published.ts';
import {
  revokeWithAdminSchema,
  emptyBodySchema,
  type RevokeWithAdminBody,
  type RevokeWithTokenBody,
} from '../lib/service-token/bodies.ts';

type Body = RevokeWithAdminBody | RevokeWithTokenBody;

// Built once, as the module loads (during Lambda's init): the two body forms of this route.
const withAdmin = revokeWithAdminSchema();
const withToken = emptyBodySchema();

/**
 * POST /api/v2/service-token/revoke — (a) admin JWT with `{id}`: that token, current or in grace;
 * (b) the current service token as Bearer with `{}`: every token in grace.
 */
export const operation: Operation<TokenManagementPrincipal, Body> = {
  authenticate: (request, app) => authenticateTokenManagement(app, request),
  schema: (principal) => (principal.form === 'admin' ? withAdmin : withToken),
  async run({ body, principal }, app) {
    if (principal.form === 'admin') refuseRevokingPublished(app.config, principal.state, (body as RevokeWithAdminBody).id);
    return json(200, { data: { revoked: await revokeServiceTokens(app, principal, body) } });
  },
};

export const handler = operationHandler(operation);
