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

/** The longest one SDK call can take, retries included: the unit of the time budget. */
export const AWS_CALL_WORST_MS =
  AWS_CLIENT_TIMEOUTS.maxAttempts * AWS_CLIENT_TIMEOUTS.requestTimeoutMs +
  (AWS_CLIENT_TIMEOUTS.maxAttempts - 1) * AWS_CLIENT_TIMEOUTS.maxRetryDelayMs;

/** The client configuration that applies {@link AWS_CLIENT_TIMEOUTS}; spread into each client's constructor. */
export function awsClientConfig() {
  return {
    maxAttempts: AWS_CLIENT_TIMEOUTS.maxAttempts,
    requestHandler: {
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
