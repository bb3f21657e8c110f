import { NodeHttpHandler } from '@smithy/node-http-handler';
/**
 * Timeouts for the function's AWS SDK clients. Without them a call has no time limit at
 * all (the SDK's defaults are 0 = none), so one stuck Secrets Manager read or SNS Publish
 * could hold a record until the function timeout, and no time budget could be computed.
 *
 * `throwOnRequestTimeout` matters: without it `@smithy/node-http-handler` only logs a
 * warning when `requestTimeout` passes (see its `NodeHttpHandlerOptions`).
 */
export const AWS_CLIENT_TIMEOUTS = {
  /** TCP + TLS set-up of one attempt. */
  connectionTimeoutMs: 1000,
  /** One attempt, request sent to response read. Same-region AWS calls take tens of ms. */
  requestTimeoutMs: 2000,
  /** The SDK's own retry, once: a second failure is left to the record's retry. */
  maxAttempts: 2,
  /**
   * Standard retry mode waits at most the throttling base delay (1 s in `@smithy/core` retry) before the
   * second attempt. A `Retry-After` header could stretch that by up to 5 s; SQS, SNS, DynamoDB and
   * Secrets Manager do not send one.
   */
  maxRetryDelayMs: 1000,
} as const;

/**
 * The hard end of one attempt, however the socket behaves (see `AttemptDeadlineHandler`). A
 * little after `requestTimeoutMs`, so a silent endpoint still fails with the SDK's own
 * (retryable) timeout, and only an endpoint that keeps dripping bytes meets this one.
 */
const ATTEMPT_DEADLINE_MS = AWS_CLIENT_TIMEOUTS.requestTimeoutMs + 250;

/** The longest one SDK call can take, retries included: the unit of the time budget. */
export const AWS_CALL_WORST_MS =
  AWS_CLIENT_TIMEOUTS.maxAttempts * ATTEMPT_DEADLINE_MS + (AWS_CLIENT_TIMEOUTS.maxAttempts - 1) * AWS_CLIENT_TIMEOUTS.maxRetryDelayMs;

/**
 * `requestTimeout` in `@smithy/node-http-handler` is a socket *idle* timeout, and it stops once
 * the response headers arrive: a server (or a broken middlebox) that sends its headers and then
 * drips the body a byte at a time holds the call for ever. So each attempt also gets an abort
 * signal that fires shortly after `requestTimeoutMs` from its start, whatever the socket does; the
 * handler destroys the request on abort, which fails the body being read too.
 */
class AttemptDeadlineHandler extends NodeHttpHandler {
  override handle(request: Parameters<NodeHttpHandler['handle']>[0], options: Parameters<NodeHttpHandler['handle']>[1] = {}) {
    const deadline = AbortSignal.timeout(ATTEMPT_DEADLINE_MS);
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal as AbortSignal, deadline]) : deadline;
    return super.handle(request, { ...options, abortSignal });
  }
}

/** The client configuration that applies {@link AWS_CLIENT_TIMEOUTS}; spread into each client's constructor. */
export function awsClientConfig() {
  return {
    maxAttempts: AWS_CLIENT_TIMEOUTS.maxAttempts,
    requestHandler: new AttemptDeadlineHandler({
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
}
