import { createAdminAccount } from '../lib/admin/account.ts';
import { json } from '../lib/http/response.ts';
import { publicHandler, type PublicOperation } from '../lib/http/operation.ts';
import { signUpSchema, type SignUpBody } from '../lib/admin/bodies.ts';

/** POST /api/v2/admin-account — creates the company and its first admin, and signs the admin in. */
export const operation: PublicOperation<SignUpBody> = {
  schema: (_principal, app) => signUpSchema(app.config.consumerEmailDomains),
  async run({ body }, app) {
    return json(200, { data: { accessToken: await createAdminAccount(app, body) } });
  },
};

export const handler = publicHandler(operation);
