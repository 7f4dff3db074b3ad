import { createAdminAccount } from '../lib/admin/sign-up.ts';
import { signUpSchema } from '../lib/admin/bodies.ts';
import { json } from '../lib/http/response.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { handlerFor, publicRoute } from '../lib/wiring/routes.ts';

/** POST /api/v2/admin-account — creates the company and its first admin, and signs the admin in. */
export const route = publicRoute({
  schema: (_principal, app) => signUpSchema(app.config.consumerEmailDomains),
  async run({ body }, app) {
    return json(200, { data: { accessToken: await createAdminAccount(app, body) } });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
