import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/**
 * The functions' Powertools Logger, told about each invocation (its Lambda context and the
 * request's keys) by the request pipeline, and applying them only when the invocation writes a
 * line. A successful request writes none at the default level, and setting them eagerly
 * (`addContext`, `appendKeys`, `resetKeys` on every invocation) showed in a token route's warm
 * CPU (docs/performance.md). Every line that is written carries them as before: the Lambda
 * request id, the cold-start flag of its own invocation, the gateway request id and the source.
 */
export class RequestLogger extends Logger {
  // Not #private: Powertools may write a line from inside its own constructor (a warning about its
  // options), which calls createAndPopulateLogItem below before these fields exist. A #private
  // field read then throws; an ordinary one reads as undefined.
  private pending: { readonly context: Context | undefined; readonly keys: LogAttributes } | undefined;
  private applied = false;
  private invocationColdStart = false;

  /** At the start of every invocation: what its lines, if any, will carry. */
  startInvocation(context: Context | undefined, keys: LogAttributes): void {
    // Taken now, not when the first line is written: Powertools flips the flag on first read.
    this.invocationColdStart = super.getColdStart();
    this.pending = { context, keys };
    this.applied = false;
  }

  /** At the end of every invocation, whatever its outcome. */
  endInvocation(): void {
    if (this.applied) this.resetKeys();
    this.pending = undefined;
    this.applied = false;
  }

  /** The flag of the invocation under way (Powertools reads it in `addContext`). */
  override getColdStart(): boolean {
    return this.invocationColdStart === true;
  }

  // Powertools calls this for every line it prints (or buffers), and for none other.
  protected override createAndPopulateLogItem(...args: Parameters<Logger['createAndPopulateLogItem']>): ReturnType<Logger['createAndPopulateLogItem']> {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      this.applied = true;
      if (pending.context) this.addContext(pending.context);
      this.appendKeys(pending.keys);
    }
    return super.createAndPopulateLogItem(...args);
  }
}
