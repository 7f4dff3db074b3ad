import { signIn } from '../lib/admin/sign-in.ts';
import { signInSchema } from '../lib/admin/bodies.ts';
import { json } from '../lib/http/response.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { handlerFor, publicRoute } from '../lib/wiring/routes.ts';

const schema = signInSchema();

/** POST /api/v2/admin-account/jwt — signs an admin in. */
export const route = publicRoute({
  schema: () => schema,
  async run({ body, request }, app) {
    return json(200, { data: { accessToken: await signIn(app, body, request.sourceIp) } });
  },
});

export const handler = handlerFor(route, appFromEnvironment());
