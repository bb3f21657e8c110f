import { JobWatchError } from '../errors';
import type { OutcomePublisher } from './outcome-publisher';

/**
 * An outcome publisher that loads the real one on the first publish, so a cold start does
 * not pay for code that most invocations never run (see `publish-path.ts`). The invocation's
 * context travels with each publish, so nothing of an invocation is kept here; what batches an
 * invocation's publishes is made per invocation (`forInvocation`).
 *
 * A failed load fails that publish with a retryable error that says so and publishes
 * nothing: the record is retried, its "record failed" log line names the cause, and a
 * record that keeps failing reaches the DLQ through `maxReceiveCount`. The load is tried
 * again on the next publish, which helps with a passing fault; a broken package keeps
 * failing until it is redeployed.
 */
export function deferredOutcomePublisher(load: () => Promise<OutcomePublisher>): OutcomePublisher {
  let loading: Promise<OutcomePublisher> | undefined;
  let loaded: OutcomePublisher | undefined;

  const start = async (): Promise<OutcomePublisher> => {
    try {
      const publisher = await load();
      loaded = publisher;
      return publisher;
    } catch (cause) {
      loading = undefined;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new JobWatchError(`could not load the outcome publisher: ${reason}`, { retryable: true, cause });
    }
  };

  const loadedOrLoading = (): Promise<OutcomePublisher> | OutcomePublisher => loaded ?? (loading ??= start());

  return {
    async publish(outcome, lambdaContext) {
      return (await loadedOrLoading()).publish(outcome, lambdaContext);
    },
    forInvocation(gate) {
      // The real publisher's batching sender for this invocation, made on its first publish.
      let bound: OutcomePublisher | undefined;
      return {
        async publish(outcome, lambdaContext) {
          if (!bound) {
            const publisher = await loadedOrLoading();
            bound ??= publisher.forInvocation?.(gate) ?? publisher;
          }
          return bound.publish(outcome, lambdaContext);
        },
      };
    },
  };
}
