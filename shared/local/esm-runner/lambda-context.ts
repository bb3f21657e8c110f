import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What {@link createLambdaContext} needs to know about the emulated function. */
export interface LambdaContextOptions {
  readonly functionName: string;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  readonly timeoutMs: number;
  readonly region: string;
  /** @default 128 */
  readonly memoryLimitInMB?: number;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Clock in ms, injectable for tests. @default Date.now */
  readonly now?: () => number;
}

const callbackStyleUnsupported = (): never => {
  // Callback-style completion (done/succeed/fail) is deprecated and gone from nodejs24.x;
  // the job-status handler is async, so using it here would hide a bug.
  throw new Error('context.done/succeed/fail are not supported: return from an async handler instead');
};

/**
 * A Lambda `Context` for one invocation: a fresh `awsRequestId`, and a deadline from which
 * `getRemainingTimeInMillis()` counts down (Powertools idempotency and batch use it).
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const accountId = options.accountId ?? '000000000000';
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: callbackStyleUnsupported,
    fail: callbackStyleUnsupported,
    succeed: callbackStyleUnsupported,
  };
}
