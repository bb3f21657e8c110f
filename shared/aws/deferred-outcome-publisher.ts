import type { Context } from 'aws-lambda';
import { JobWatchError } from '../errors';
import type { OutcomePublisher } from './outcome-publisher';

/**
 * An outcome publisher that loads the real one on the first publish, so a cold start does
 * not pay for code that most invocations never run (see `publish-path.ts`).
 *
 * A failed load fails that publish with a retryable error that says so (the record goes
 * back to the queue, and to the DLQ with this reason if it keeps failing) and is tried
 * again on the next publish. The latest Lambda context is handed to the real publisher
 * when it is loaded, and every later one as it comes; its time budget is then what was
 * left when it loaded, which only makes the publish guard a little more lenient for the
 * rest of that one invocation.
 */
export function deferredOutcomePublisher(load: () => Promise<OutcomePublisher>): OutcomePublisher {
  let loading: Promise<OutcomePublisher> | undefined;
  let loaded: OutcomePublisher | undefined;
  let context: Context | undefined;

  const start = (): Promise<OutcomePublisher> =>
    load().then(
      (publisher) => {
        if (context) publisher.registerLambdaContext(context);
        loaded = publisher;
        return publisher;
      },
      (cause: unknown) => {
        loading = undefined;
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new JobWatchError(`could not load the outcome publisher: ${reason}`, { retryable: true, cause });
      },
    );

  return {
    async publish(outcome) {
      const publisher = loaded ?? (await (loading ??= start()));
      return publisher.publish(outcome);
    },
    registerLambdaContext(next) {
      context = next;
      loaded?.registerLambdaContext(next);
    },
  };
}
