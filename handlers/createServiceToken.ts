import { json } from '../lib/http/response.ts';
import { adminHandler, type AdminOperation } from '../lib/http/operation.ts';
import { createServiceToken } from '../lib/service-token/manage.ts';
import { refuseWhileManaged } from '../lib/service-token/published.ts';
import { createServiceTokenSchema, type CreateServiceTokenBody } from '../lib/service-token/bodies.ts';

// Built once, as the module loads (during Lambda's init), and only the schema this function uses.
const schema = createServiceTokenSchema();

/** POST /api/v2/service-token — the seed: upserts the company's service token. */
export const operation: AdminOperation<CreateServiceTokenBody> = {
  schema: () => schema,
  async run({ body, principal }, app) {
    refuseWhileManaged(app.config);
    return json(200, { key: await createServiceToken(app, principal, body.token) });
  },
};

export const handler = adminHandler(operation);
