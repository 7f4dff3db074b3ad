import { resetPassword } from '../lib/admin/account.ts';
import { json } from '../lib/http/response.ts';
import { adminHandler, type AdminOperation } from '../lib/http/operation.ts';
import { resetPasswordSchema, type ResetPasswordBody } from '../lib/admin/bodies.ts';

// Built once, as the module loads (during Lambda's init), and only the schema this function uses.
const schema = resetPasswordSchema();

/** POST /api/v2/service-token/reset-password — changes the admin password, revoking every earlier admin JWT. */
export const operation: AdminOperation<ResetPasswordBody> = {
  schema: () => schema,
  async run({ body, principal }, app) {
    await resetPassword(app, principal, body);
    return json(200, { data: { success: true } });
  },
};

export const handler = adminHandler(operation);
