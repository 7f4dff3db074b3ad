import { signIn } from '../lib/admin/account.ts';
import { json } from '../lib/http/response.ts';
import { publicHandler, type PublicOperation } from '../lib/http/operation.ts';
import { signInSchema, type SignInBody } from '../lib/admin/bodies.ts';

// Built once, as the module loads (during Lambda's init), and only the schema this function uses.
const schema = signInSchema();

/** POST /api/v2/admin-account/jwt — signs an admin in. */
export const operation: PublicOperation<SignInBody> = {
  schema: () => schema,
  async run({ body, request }, app) {
    return json(200, { data: { accessToken: await signIn(app, body, request.sourceIp) } });
  },
};

export const handler = publicHandler(operation);
