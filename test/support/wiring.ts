import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { App } from '../../lib/wiring/app.ts';
import { handlerFor } from '../../lib/wiring/routes.ts';
import { route as createAdminAccount } from '../../handlers/createAdminAccount.ts';
import { route as createAdminJwt } from '../../handlers/createAdminJwt.ts';
import { route as createServiceToken } from '../../handlers/createServiceToken.ts';
import { route as rotateServiceToken } from '../../handlers/rotateServiceToken.ts';
import { route as resetAdminPassword } from '../../handlers/resetAdminPassword.ts';
import { route as listServiceTokens } from '../../handlers/listServiceTokens.ts';
import { route as revokeServiceToken } from '../../handlers/revokeServiceToken.ts';
import { route as recoverAdminAccess } from '../../handlers/recoverAdminAccess.ts';
import { route as getServiceToken } from '../../handlers/getServiceToken.ts';
import { createHandler as serviceTokenAuthorizer } from '../../handlers/serviceTokenAuthorizer.ts';

/**
 * Every function's real handler, wired to `app` exactly as handlers/*.ts wire it to the production
 * App. Shared by the integration harness and the benchmarks.
 */
export function handlersFor(app: App) {
  return {
    createAdminAccount: handlerFor(createAdminAccount, app),
    createAdminJwt: handlerFor(createAdminJwt, app),
    createServiceToken: handlerFor(createServiceToken, app),
    rotateServiceToken: handlerFor(rotateServiceToken, app),
    resetAdminPassword: handlerFor(resetAdminPassword, app),
    listServiceTokens: handlerFor(listServiceTokens, app),
    revokeServiceToken: handlerFor(revokeServiceToken, app),
    recoverAdminAccess: handlerFor(recoverAdminAccess, app),
    getServiceToken: handlerFor(getServiceToken, app),
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
