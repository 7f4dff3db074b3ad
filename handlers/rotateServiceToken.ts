import { json } from '../lib/http/response.ts';
import { rotateServiceToken } from '../lib/service-token/rotate.ts';
import { refuseWhilePublished } from '../lib/service-token/published.ts';
import { rotateWithAdminSchema, rotateWithTokenSchema, type RotateWithAdminBody, type RotateWithTokenBody } from '../lib/service-token/bodies.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { adminOrServiceTokenRoute, handlerFor } from '../lib/wiring/routes.ts';

const withAdmin = rotateWithAdminSchema();
const withToken = rotateWithTokenSchema();

/**
 * POST /api/v2/service-token/rotate — (a) admin JWT with `{token, expireAt}`, or (b) the current
 * service token as Bearer with `{expireAt}`.
 */
export const route = adminOrServiceTokenRoute<RotateWithAdminBody | RotateWithTokenBody>({
  // The rotation's own write records the service token's use.
  recordUse: false,
  schema: (principal) => (principal.form === 'admin' ? withAdmin : withToken),
  async run({ body, principal }, app) {
    refuseWhilePublished(app.config);
    return json(200, { key: await rotateServiceToken(app, principal, body) });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
