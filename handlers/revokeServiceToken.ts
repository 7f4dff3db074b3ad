import { json } from '../lib/http/response.ts';
import { revokeServiceTokens } from '../lib/service-token/revoke.ts';
import { refuseRevokingPublished } from '../lib/service-token/published.ts';
import { emptyBodySchema, revokeWithAdminSchema, type RevokeWithAdminBody, type RevokeWithTokenBody } from '../lib/service-token/bodies.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { adminOrServiceTokenRoute, handlerFor } from '../lib/wiring/routes.ts';

const withAdmin = revokeWithAdminSchema();
const withToken = emptyBodySchema();

/**
 * POST /api/v2/service-token/revoke — (a) admin JWT with `{id}`: that token, current or in grace;
 * (b) the current service token as Bearer with `{}`: every token in grace.
 */
export const route = adminOrServiceTokenRoute<RevokeWithAdminBody | RevokeWithTokenBody>({
  // The revocation's own write records the service token's use.
  recordUse: false,
  schema: (principal) => (principal.form === 'admin' ? withAdmin : withToken),
  async run({ body, principal }, app) {
    if (principal.form === 'admin') refuseRevokingPublished(app.config, principal.state, (body as RevokeWithAdminBody).id);
    return json(200, { data: { revoked: await revokeServiceTokens(app, principal, body) } });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
