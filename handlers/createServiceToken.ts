import { json } from '../lib/http/response.ts';
import { createServiceToken } from '../lib/service-token/create.ts';
import { refuseWhilePublished } from '../lib/service-token/published.ts';
import { createServiceTokenSchema } from '../lib/service-token/bodies.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { adminRoute, handlerFor } from '../lib/wiring/routes.ts';

const schema = createServiceTokenSchema();

/** POST /api/v2/service-token — the seed: upserts the company's service token. */
export const route = adminRoute({
  schema: () => schema,
  async run({ body, principal }, app) {
    refuseWhilePublished(app.config);
    return json(200, { key: await createServiceToken(app, principal, body.token) });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
