/** The error name DynamoDB (and every local engine) gives a failed condition expression. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Whether a failed condition may be our own earlier attempt, retried by the SDK after its response
 * was lost. Only then is a read worth making to tell "we already won" from a real conflict: on a
 * first attempt the conflict is certain, and the caller is answered without a third call.
 */
export function mayBeOwnRetriedWrite(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  return attempts === undefined || attempts > 1;
}
