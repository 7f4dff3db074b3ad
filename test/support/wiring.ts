import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { App } from '../../lib/runtime/app.ts';
import { adminHandler, operationHandler, publicHandler } from '../../lib/http/operation.ts';
import { operation as createAdminAccount } from '../../handlers/createAdminAccount.ts';
import { operation as createAdminJwt } from '../../handlers/createAdminJwt.ts';
import { operation as createServiceToken } from '../../handlers/createServiceToken.ts';
import { operation as rotateServiceToken } from '../../handlers/rotateServiceToken.ts';
import { operation as resetAdminPassword } from '../../handlers/resetAdminPassword.ts';
import { operation as listServiceTokens } from '../../handlers/listServiceTokens.ts';
import { operation as revokeServiceToken } from '../../handlers/revokeServiceToken.ts';
import { createHandler as getServiceToken } from '../../handlers/getServiceToken.ts';
import { createHandler as serviceTokenAuthorizer } from '../../handlers/serviceTokenAuthorizer.ts';

/**
 * Every function's real handler, wired to `app` exactly as handlers/*.ts wire it to the production
 * App. Shared by the integration harness and the benchmarks.
 */
export function handlersFor(app: App) {
  return {
    createAdminAccount: publicHandler(createAdminAccount, app),
    createAdminJwt: publicHandler(createAdminJwt, app),
    createServiceToken: adminHandler(createServiceToken, app),
    rotateServiceToken: operationHandler(rotateServiceToken, app),
    resetAdminPassword: adminHandler(resetAdminPassword, app),
    listServiceTokens: adminHandler(listServiceTokens, app),
    revokeServiceToken: operationHandler(revokeServiceToken, app),
    getServiceToken: getServiceToken(app),
    serviceTokenAuthorizer: serviceTokenAuthorizer(app),
  };
}

export type Handlers = ReturnType<typeof handlersFor>;

/** A Lambda context as the runtime passes it, with the given request id. */
export function lambdaContext(awsRequestId: string = randomUUID()): Context {
  return {
    awsRequestId,
    functionName: 'databrain-admin-api-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:databrain-admin-api-test-fn',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/databrain-admin-api-test-fn',
    logStreamName: '2026/11/27/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
