import { json } from '../lib/http/response.ts';
import { operationHandler, type Operation } from '../lib/http/operation.ts';
import { authenticateTokenManagement, rotateServiceToken, type TokenManagementPrincipal } from '../lib/service-token/manage.ts';
import { refuseWhileManaged } from '../lib/service-token/published.ts';
import {
  rotateWithAdminSchema,
  rotateWithTokenSchema,
  type RotateWithAdminBody,
  type RotateWithTokenBody,
} from '../lib/service-token/bodies.ts';

type Body = RotateWithAdminBody | RotateWithTokenBody;

// Built once, as the module loads (during Lambda's init): the two body forms of this route.
const withAdmin = rotateWithAdminSchema();
const withToken = rotateWithTokenSchema();

/**
 * POST /api/v2/service-token/rotate — (a) admin JWT with `{token, expireAt}`, or (b) the current
 * service token as Bearer with `{expireAt}`.
 */
export const operation: Operation<TokenManagementPrincipal, Body> = {
  authenticate: (request, app) => authenticateTokenManagement(app, request),
  schema: (principal) => (principal.form === 'admin' ? withAdmin : withToken),
  async run({ body, principal }, app) {
    refuseWhileManaged(app.config);
    return json(200, { key: await rotateServiceToken(app, principal, body) });
  },
};

export const handler = operationHandler(operation);
