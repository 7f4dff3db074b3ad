import { json } from '../lib/http/response.ts';
import { adminHandler, type AdminOperation } from '../lib/http/operation.ts';
import { listServiceTokens } from '../lib/service-token/manage.ts';
import { emptyBodySchema, type EmptyBody } from '../lib/service-token/bodies.ts';

// Built once, as the module loads (during Lambda's init).
const schema = emptyBodySchema();

/** GET /api/v2/service-tokens — every valid service token: ids, status and times, never a value or digest. */
export const operation: AdminOperation<EmptyBody> = {
  schema: () => schema,
  async run({ principal }, app) {
    return json(200, { data: listServiceTokens(app, principal) });
  },
};

export const handler = adminHandler(operation);
