import { recoverAdminAccess } from '../lib/admin/recovery.ts';
import { recoverSchema } from '../lib/admin/bodies.ts';
import { json } from '../lib/http/response.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { handlerFor, operatorRoute } from '../lib/wiring/routes.ts';

const schema = recoverSchema();

/**
 * The operator's recovery of admin access: no route reaches it (serverless.yml gives it no event),
 * and an event that came through API Gateway is refused. Payload `{"body": {"password": "…"}}`;
 * sets that password, revokes every earlier admin JWT and lifts the lock-outs (lib/admin/recovery.ts).
 */
export const route = operatorRoute({
  schema: () => schema,
  async run({ body }, app) {
    return json(200, { data: { success: true, email: await recoverAdminAccess(app, body) } });
  },
});

// It signs and verifies no admin JWT: given no signing secret (serverless.yml), and may read none.
export const handler = handlerFor(route, appFromEnvironment({ signingKey: false }));
