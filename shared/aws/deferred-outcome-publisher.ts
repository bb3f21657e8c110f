import type { Context } from 'aws-lambda';
import { JobWatchError } from '../errors';
import type { OutcomePublisher } from './outcome-publisher';

/**
 * An outcome publisher that loads the real one on the first publish, so a cold start does
 * not pay for code that most invocations never run (see `publish-path.ts`).
 *
 * The real publisher gets the Lambda context of each invocation with the time budget the
 * invocation had when it started, also when it is loaded mid-invocation: its publish guard
 * (no publish with too little time left) is sized by that budget, not by what was left at
 * the load.
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
  let invocation: { readonly context: Context; readonly budgetMs: number } | undefined;

  const start = async (): Promise<OutcomePublisher> => {
    try {
      const publisher = await load();
      if (invocation) publisher.registerLambdaContext(invocation.context, invocation.budgetMs);
      loaded = publisher;
      return publisher;
    } catch (cause) {
      loading = undefined;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new JobWatchError(`could not load the outcome publisher: ${reason}`, { retryable: true, cause });
    }
  };

  return {
    async publish(outcome) {
      const publisher = loaded ?? (await (loading ??= start()));
      return publisher.publish(outcome);
    },
    registerLambdaContext(context, budgetMs = context.getRemainingTimeInMillis()) {
      invocation = { context, budgetMs };
      loaded?.registerLambdaContext(context, budgetMs);
    },
  };
}
