import { createAdminAccount } from '../lib/accounts.ts';
import { json } from '../lib/http.ts';
import { publicHandler, type PublicOperation } from '../lib/lambda.ts';
import { signUpSchema, type SignUpBody } from '../lib/validation.ts';

/** POST /api/v2/admin-account — creates the company and its first admin, and signs the admin in. */
export const operation: PublicOperation<SignUpBody> = {
  schema: (_principal, app) => signUpSchema(app.config.consumerEmailDomains),
  async run({ body }, app) {
    return json(200, { data: { accessToken: await createAdminAccount(app, body) } });
  },
};

export const handler = publicHandler(operation);
