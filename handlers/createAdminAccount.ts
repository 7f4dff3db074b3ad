import { createAdminAccount } from '../lib/admin/sign-up.ts';
import { requireClaimMode } from '../lib/admin/claim.ts';
import { signUpSchema } from '../lib/admin/bodies.ts';
import { json } from '../lib/http/response.ts';
import { appFromEnvironment } from '../lib/wiring/app.ts';
import { claimRoute, handlerFor } from '../lib/wiring/routes.ts';

/**
 * POST /api/v2/admin-account — creates the company and its first admin, and signs the admin in.
 * The claim's proof (the setup code, or a direct invocation; stage parameter claimMode) is its
 * credential: checked first, before the body.
 */
export const route = claimRoute({
  schema: (_principal, app) => signUpSchema(app.config.consumerEmailDomains),
  async run({ body }, app) {
    return json(200, { data: { accessToken: await createAdminAccount(app, body) } });
  },
});

const app = appFromEnvironment();
// A deployment that lost CLAIM_MODE fails its cold start, naming it, rather than answering claims.
requireClaimMode(app.config);
export const handler = handlerFor(route, app);
