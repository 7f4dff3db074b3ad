import type Joi from 'joi';
import { authenticateAdmin } from '../admin/authenticate.ts';
import { appFromEnvironment, type App } from '../runtime/app.ts';
import { bearerToken, jsonBody, type ApiRequest } from './request.ts';
import { type HttpResult } from './response.ts';
import { lambda, type LambdaHandler } from './pipeline.lean.ts';
import type { Account } from '../admin/account.store.ts';
import { InvalidRequestBody } from '../errors.ts';

export type { LambdaHandler } from './pipeline.lean.ts';

/**
 * A route: who may call it (`authenticate`, checked before the body is looked at), what body it
 * takes for that caller, and what it does. Schemas are built once per container, not per request.
 */
export interface Operation<P, B> {
  authenticate(request: ApiRequest, app: App): Promise<P>;
  schema(principal: P, app: App): Joi.ObjectSchema<B>;
  run(input: { body: B; request: ApiRequest; principal: P }, app: App): Promise<HttpResult>;
}

export type PublicOperation<B> = Omit<Operation<undefined, B>, 'authenticate'>;
export type AdminOperation<B> = Omit<Operation<Account, B>, 'authenticate'>;

export function operationHandler<P, B>(operation: Operation<P, B>, app: App = appFromEnvironment()): LambdaHandler {
  return lambda(app, async (request) => {
    const principal = await operation.authenticate(request, app);
    const body = validate(operation.schema(principal, app), jsonBody(request));
    return operation.run({ body, request, principal }, app);
  });
}

const anyone = async (): Promise<undefined> => undefined;
const admin = (request: ApiRequest, app: App): Promise<Account> => authenticateAdmin(app, bearerToken(request));

export function publicHandler<B>(operation: PublicOperation<B>, app?: App): LambdaHandler {
  return operationHandler({ ...operation, authenticate: anyone }, app);
}

export function adminHandler<B>(operation: AdminOperation<B>, app?: App): LambdaHandler {
  return operationHandler({ ...operation, authenticate: admin }, app);
}

/**
 * Joi's own messages are part of the contract: the first problem found becomes the 400's message.
 *
 * Joi works on a copy it makes with Object.assign, and assigning an own `__proto__` property (which
 * JSON.parse, and the Lambda runtime for a direct invocation, create for a `"__proto__"` key) sets
 * the copy's prototype instead: the field would vanish unseen, neither validated nor refused.
 * Handing Joi a copy without a prototype keeps `__proto__` an ordinary key there, so Joi refuses it
 * like any unknown field (`"__proto__" is not allowed`). `constructor` needs nothing: it is copied.
 */
export function validate<T>(schema: Joi.ObjectSchema<T>, body: Record<string, unknown>): T {
  // Only then: Joi's work on an object without a prototype is slower (~0.1× of a token route's warm
  // CPU in `npm run bench`), and an ordinary body needs no such copy.
  const input = Object.hasOwn(body, '__proto__') ? Object.assign(Object.create(null), body) : body;
  // Joi's defaults are the contract's rules: stop at the first problem, convert (a numeric string
  // is a number), refuse unknown keys. Passing them as options would make Joi merge them into its
  // preferences on every call (test/unit/validation.test.ts holds all three).
  const { value, error } = schema.validate(input);
  if (error) throw new InvalidRequestBody(error.message);
  return value;
}
