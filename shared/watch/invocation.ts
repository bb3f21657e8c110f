import type { Logger } from '@aws-lambda-powertools/logger';
import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import type { Context, SQSRecord } from 'aws-lambda';
import pLimit, { type LimitFunction } from 'p-limit';
import { createBatchGate, type BatchGate, type RecordGate } from '../aws/invocation-gate';
import type { InvocationJobQueue } from '../aws/job-queue';
import type { RecordDependencies, WatchMetrics } from './process-record';
import { collectDurationSamples } from './duration-samples';
import { AWS_CALLS_PER_EFFECT, reservesFor, startRecordTime, type RunningRecordTime, type TimeReserves } from './time-budget';
import { describeError } from '../errors';

/** The watcher's metrics for one invocation (`WatchMetrics.forInvocation`). */
export interface InvocationWatchMetrics extends WatchMetrics {
  /** Emits the counts held back, and forgets them. Called once, when the invocation ends. */
  flush(): void;
}

/** What every invocation shares: built once per execution environment. */
export interface InvocationOptions {
  /** The record's collaborators, except its logger (made from the invocation's). */
  readonly record: Omit<RecordDependencies, 'forRecord'>;
  /** Makes the per-record logger factory from the invocation's logger (`recordLogger`). */
  readonly recordLogger: (invocationLogger: Logger) => RecordDependencies['forRecord'];
  /** Records of one batch in flight at once: the bound on one invocation's parallel calls to Alation. */
  readonly concurrency: number;
  /**
   * The job queue's `maxReceiveCount`: a record that fails on this delivery is dead-lettered
   * with its reason (`Invocation.deadLetterLastDelivery`). Absent or null: failures are always retried.
   */
  readonly maxReceiveCount?: number | null;
  /** From the worst path of a record (`recordTimeReserves`). */
  readonly reserves: TimeReserves;
  readonly logger: Logger;
  /**
   * A job queue for one invocation, whose re-sends and DLQ writes wait at the invocation's gate
   * and go out together (`createBatchingJobQueue`); called once per invocation, never shared
   * between two. Absent: `record.jobQueue`, one request per send.
   */
  readonly invocationJobQueue?: (gate: BatchGate) => InvocationJobQueue;
}

/**
 * Everything that belongs to one invocation. Lambda Managed Instances run several
 * invocations at once in one Node.js process, so none of this may live in module or
 * handler scope: a shared Powertools `BatchProcessor` mixes the records and failures of
 * concurrent batches (a failed record missing from its own `batchItemFailures` is deleted,
 * i.e. lost), a shared logger context stamps lines with another invocation's request id,
 * and a shared idempotency context gives in-progress records another invocation's expiry.
 *
 * To add an invocation-scoped collaborator (e.g. a batcher of re-sends), build it in
 * {@link startInvocation}, put it into `record`, and finish it in {@link Invocation.end}.
 */
export interface Invocation {
  readonly context: Context;
  /** A child of the shared logger carrying this invocation's context (request id, cold start). */
  readonly logger: Logger;
  readonly processor: BatchProcessor;
  /** Bounds this invocation's records in flight. */
  readonly limit: LimitFunction;
  /** The record's collaborators, bound to this invocation (its logger, its Lambda context for the publisher). */
  readonly record: RecordDependencies;
  /**
   * Where this invocation's batched calls (re-sends, DLQ writes, outcome publishes) wait for
   * company: told when records start and end.
   */
  readonly gate: RecordGate;
  /** This invocation's batching job queue, when batching is on. */
  readonly jobQueue?: InvocationJobQueue;
  /** Starts a record's clock, or throws `TimeBudgetError` when it should not start. */
  startRecord(): RunningRecordTime;
  /**
   * For a record that failed: writes it to the DLQ with `reason` when this delivery is its last
   * (SQS would move it there next, without a reason) and there is time for the write. True when
   * written; false when it is not the last delivery, there is no time, or the write failed (the
   * record is then retried, and reaches the DLQ through the redrive policy as before).
   */
  deadLetterLastDelivery(record: SQSRecord, reason: string): Promise<boolean>;
  /** Called once every record is settled, before the response is returned. */
  end(): Promise<void>;
}

/**
 * Builds one invocation's state, in one place. `coldStart`: the first invocation of an
 * on-demand environment (as Powertools reports it). Cheap: a processor, a child logger, a limiter, closures.
 */
export function startInvocation(context: Context, options: InvocationOptions, coldStart = false): Invocation {
  const logger = invocationLogger(options.logger, context, coldStart);
  const reserves = reservesFor(context.getRemainingTimeInMillis(), options.reserves);
  const shared = options.record;
  const gate = createBatchGate();
  const jobQueue = options.invocationJobQueue?.(gate);
  // Outcome publishes wait at the same gate (`PublishBatch`) when the publisher can batch.
  const publisher = shared.publisher.forInvocation?.(gate) ?? shared.publisher;
  const metrics = shared.metrics.forInvocation?.();
  const durations = shared.durations && collectDurationSamples(shared.durations, { info: (m, e) => logger.info(m, e ?? {}), warn: (m, e) => logger.warn(m, e ?? {}) });
  // A third of the effect reserve, at least one AWS call's worst time: what the duration write needs left.
  const writeMs = reserves.effectMs / AWS_CALLS_PER_EFFECT;
  return {
    context,
    logger,
    processor: new BatchProcessor(EventType.SQS),
    limit: pLimit(options.concurrency),
    gate,
    jobQueue,
    record: {
      ...shared,
      ...(jobQueue && { jobQueue }),
      ...(metrics && { metrics }),
      ...(durations && { durations }),
      publisher: { publish: (outcome) => publisher.publish(outcome, context) },
      forRecord: options.recordLogger(logger),
    },
    startRecord: () => startRecordTime(() => context.getRemainingTimeInMillis(), reserves),
    deadLetterLastDelivery: async (record, reason) => {
      const receives = Number(record.attributes?.ApproximateReceiveCount);
      if (!options.maxReceiveCount || !(receives >= options.maxReceiveCount)) return false;
      if (context.getRemainingTimeInMillis() < writeMs) return false;
      try {
        await (jobQueue ?? shared.jobQueue).deadLetter(record.body, `failed on its last delivery (${receives} of ${options.maxReceiveCount}): ${reason}`, record.messageId);
        return true;
      } catch (error) {
        logger.error('could not dead-letter a record on its last delivery: the redrive policy will move it without a reason', {
          messageId: record.messageId,
          error: describeError(error),
        });
        return false;
      }
    },
    end: async () => {
      // Learned durations last: every record is settled, each outcome published before its sample.
      await durations?.flush(() => context.getRemainingTimeInMillis() >= writeMs);
      metrics?.flush();
    },
  };
}

/**
 * A child logger whose every line carries this invocation's context, under the keys
 * Powertools' `addContext` uses. Persistent keys of a fresh child, rather than `addContext`,
 * because a fresh child would report every invocation as a cold start.
 */
function invocationLogger(parent: Logger, context: Context, coldStart: boolean): Logger {
  return parent.createChild({
    persistentKeys: {
      cold_start: coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    },
  });
}
