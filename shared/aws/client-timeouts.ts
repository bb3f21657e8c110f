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
 *
 * One controller and one timer per attempt, the timer cleared once the response body is closed
 * (read, or destroyed) or the attempt fails: `AbortSignal.any([signal, AbortSignal.timeout()])`
 * did the same at about four times the CPU, and left a timer pending for every call's whole
 * deadline (measured: a few hundred microseconds of an SDK call, every call).
 */
class AttemptDeadlineHandler extends NodeHttpHandler {
  override async handle(request: Parameters<NodeHttpHandler['handle']>[0], options: Parameters<NodeHttpHandler['handle']>[1] = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`attempt took more than ${ATTEMPT_DEADLINE_MS} ms`, 'TimeoutError')), ATTEMPT_DEADLINE_MS);
    // Like AbortSignal.timeout's: a CLI process is not kept alive by a call's deadline.
    timer.unref?.();
    const outer = options.abortSignal as AbortSignal | undefined;
    const onOuterAbort = () => controller.abort(outer?.reason);
    const release = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    if (outer?.aborted) onOuterAbort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const answer = await super.handle(request, { ...options, abortSignal: controller.signal });
      const body = answer.response.body as { once?: (event: 'close', listener: () => void) => unknown; destroyed?: boolean } | undefined;
      // The deadline covers reading the body too (the slow-drip case): released when it closes.
      if (typeof body?.once === 'function' && body.destroyed !== true) body.once('close', release);
      else release();
      return answer;
    } catch (error) {
      release();
      throw error;
    }
  }
}

/**
 * The client configuration that applies {@link AWS_CLIENT_TIMEOUTS}; spread into each client's constructor.
 *
 * `cacheMiddleware`: the SDK otherwise rebuilds and sorts a client's middleware stack on every
 * `send` (about a tenth of an SDK call's CPU in the handler-cost profile); cached, it is resolved
 * once per command class. The catch (see `@smithy/core` `Client.send`): middleware added to a
 * client after its first request is not seen. The function never adds any; tests that add
 * faults do so before the first request, or bring their own clients. A client to be wrapped in
 * `DynamoDBDocumentClient` must pass `cacheMiddleware: false`: lib-dynamodb refuses (throws on)
 * a client that caches, since its commands hand the SDK a handler bound to one command.
 */
export function awsClientConfig(options: { readonly cacheMiddleware?: boolean } = {}) {
  return {
    maxAttempts: AWS_CLIENT_TIMEOUTS.maxAttempts,
    cacheMiddleware: options.cacheMiddleware ?? true,
    requestHandler: new AttemptDeadlineHandler({
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
}
