import { json } from '../lib/http/response.ts';
import { listServiceTokens } from '../lib/service-token/list.ts';
import { emptyBodySchema } from '../lib/service-token/bodies.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { adminRoute, handlerFor } from '../lib/wiring/routes.ts';

const schema = emptyBodySchema();

/** GET /api/v2/service-tokens — every valid service token: ids, status and times, never a value or digest. */
export const route = adminRoute({
  schema: () => schema,
  async run({ principal }, app) {
    return json(200, { data: listServiceTokens(app, principal) });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
