import type { Context } from 'aws-lambda';
import type Joi from 'joi';
import { authenticateAdmin } from './admin-auth.ts';
import { appFromEnvironment, type App } from './app.ts';
import { ApiError, InternalServerError, NotSelfHosted } from './errors.ts';
import { bearerToken, errorResult, jsonBody, normalizeEvent, type ApiRequest, type HttpResult } from './http.ts';
import type { Account } from './store/accounts.ts';
import { validate } from './validation.ts';

export type LambdaHandler = (event: unknown, context?: Context) => Promise<HttpResult>;

export interface PublicOperation<B> {
  readonly schema: (app: App) => Joi.ObjectSchema<B>;
  run(input: { body: B; request: ApiRequest }, app: App): Promise<HttpResult>;
}

export interface AdminOperation<B> {
  readonly schema: (app: App) => Joi.ObjectSchema<B>;
  run(input: { body: B; request: ApiRequest; account: Account }, app: App): Promise<HttpResult>;
}

/**
 * The one place where an event becomes a response: the self-hosted check before anything else,
 * then (for admin routes) authentication before the body is looked at, then the body checks of
 * the common rules, Joi validation, the operation, and the error mapping.
 */
function lambda(app: App, handle: (request: ApiRequest) => Promise<HttpResult>): LambdaHandler {
  return async (event, context) => {
    const started = performance.now();
    if (context) app.logger.addContext(context);
    const request = normalizeEvent(event);
    app.logger.appendKeys({ gatewayRequestId: request.gatewayRequestId, source: request.source });
    let result: HttpResult;
    let code: string | undefined;
    try {
      if (!app.config.selfHosted) throw new NotSelfHosted();
      result = await handle(request);
    } catch (error) {
      const apiError = asApiError(error, app);
      code = apiError.code;
      result = errorResult(apiError);
    }
    app.logger.info('request completed', {
      statusCode: result.statusCode,
      code,
      durationMs: Math.round(performance.now() - started),
    });
    app.logger.resetKeys();
    return result;
  };
}

/** Known errors keep their documented status; anything else is logged in full and answered opaquely. */
function asApiError(error: unknown, app: App): ApiError {
  if (error instanceof ApiError) return error;
  app.logger.error('unexpected failure', error instanceof Error ? error : String(error));
  return new InternalServerError();
}

export function publicHandler<B>(operation: PublicOperation<B>, app: App = appFromEnvironment()): LambdaHandler {
  const schema = operation.schema(app);
  return lambda(app, async (request) => {
    const body = validate(schema, jsonBody(request));
    return operation.run({ body, request }, app);
  });
}

export function adminHandler<B>(operation: AdminOperation<B>, app: App = appFromEnvironment()): LambdaHandler {
  const schema = operation.schema(app);
  return lambda(app, async (request) => {
    const account = await authenticateAdmin(app, bearerToken(request));
    const body = validate(schema, jsonBody(request));
    return operation.run({ body, request, account }, app);
  });
}
