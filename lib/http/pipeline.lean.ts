import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { ApiError, InternalServerError, NotSelfHosted } from '../errors.ts';
import { errorResult, type HttpResult } from './response.ts';
import { normalizeEvent, type ApiRequest } from './request.ts';
import { withInvocation, type Invocation } from '../observability/audit.ts';
import type { ApiMetrics } from '../observability/metrics.ts';
import type { RequestLogger } from '../observability/logger.ts';

export type LambdaHandler = (event: unknown, context?: Context) => Promise<HttpResult>;

/** What the request pipeline needs of the container's wiring (App, or the lean token runtime). */
export interface Runtime {
  readonly config: { readonly selfHosted: boolean };
  readonly logger: RequestLogger;
  readonly metrics: ApiMetrics;
}

/**
 * The one place where an event becomes a response: the self-hosted check before anything else,
 * then the route's own work (authentication first, then the body), then the error mapping and one
 * log line per request. Kept free of Joi and jose so the authorizer's bundle stays small.
 */
export function lambda(app: Runtime, handle: (request: ApiRequest) => Promise<HttpResult>): LambdaHandler {
  return async (event, context) => {
    const started = performance.now();
    const request = normalizeEvent(event);
    app.logger.startInvocation(context, { gatewayRequestId: request.gatewayRequestId, source: request.source });
    let result: HttpResult;
    let code: string | undefined;
    try {
      if (!app.config.selfHosted) throw new NotSelfHosted();
      result = await withInvocation(invocationOf(request, context), () => handle(request));
    } catch (error) {
      const apiError = asApiError(error, app);
      code = apiError.code;
      result = errorResult(apiError);
    }
    // Failures at INFO, successes at DEBUG: the line (the write to stdout, then formatting) is the
    // largest share of a warm request's own CPU (docs/performance.md); the HTTP
    // API's access log (serverless.yml, provider.logs.httpApi) records every HTTP request with its
    // status and latency, and Lambda's REPORT line every invocation.
    // A success's line is not even built unless DEBUG is on (Powertools reads the environment for
    // every call, written or not).
    const failed = result.statusCode >= 400;
    if (failed || app.logger.level <= LogLevelThreshold.DEBUG) {
      app.logger[failed ? 'info' : 'debug']('request completed', {
        statusCode: result.statusCode,
        code,
        durationMs: Math.round(performance.now() - started),
      });
    }
    app.logger.endInvocation();
    app.metrics.flush(context?.functionName);
    return result;
  };
}

/** What audit events say about where a request came from. */
function invocationOf(request: ApiRequest, context: Context | undefined): Invocation {
  return {
    origin: request.source === 'direct'
      ? { source: 'direct' }
      : { source: 'http', clientAddress: request.sourceIp, userAgent: request.userAgent },
    lambdaRequestId: context?.awsRequestId,
    gatewayRequestId: request.gatewayRequestId,
  };
}

/** Known errors keep their documented status; anything else is logged in full and answered opaquely. */
function asApiError(error: unknown, app: Runtime): ApiError {
  if (error instanceof ApiError) return error;
  app.logger.error('unexpected failure', error instanceof Error ? error : String(error));
  return new InternalServerError();
}

