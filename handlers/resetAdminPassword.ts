import { resetPassword } from '../lib/admin/reset-password.ts';
import { resetPasswordSchema } from '../lib/admin/bodies.ts';
import { json } from '../lib/http/response.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { adminRoute, handlerFor } from '../lib/wiring/routes.ts';

const schema = resetPasswordSchema();

/** POST /api/v2/service-token/reset-password — changes the admin password, revoking every earlier admin JWT. */
export const route = adminRoute({
  schema: () => schema,
  async run({ body, principal }, app) {
    await resetPassword(app, principal, body);
    return json(200, { data: { success: true } });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
