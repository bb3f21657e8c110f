import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import type { InvocationJobQueue } from '../aws/job-queue';
import { JobWatchError } from '../errors';
import { processRecord, type RecordDependencies } from './process-record';

export interface BatchHandlerOptions {
  readonly record: RecordDependencies;
  /** Records of one batch in flight at once: the bound on parallel calls to Alation. */
  readonly concurrency: number;
  /**
   * A record is not started with less time left than this (capped at a quarter of the
   * invocation, for very short timeouts): it is reported for retry instead, so a
   * batch that runs long does not hit the function timeout, which would redeliver records
   * already re-sent and fork their poll chains.
   */
  readonly minRemainingMsPerRecord: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * A job queue for one invocation, whose re-sends and DLQ writes go out together
   * (`createBatchingJobQueue`); called once per invocation, never shared between two.
   * Absent: `record.jobQueue`, one request per send.
   */
  readonly invocationJobQueue?: () => InvocationJobQueue;
}

/**
 * The SQS batch handler: records are processed concurrently (bounded), and only those
 * that must be retried are reported in `batchItemFailures`. Requires
 * `ReportBatchItemFailures` on the event source mapping.
 */
export function createBatchHandler(options: BatchHandlerOptions) {
  const processor = new BatchProcessor(EventType.SQS);
  const limit = pLimit(options.concurrency);
  let context: Context | undefined;
  let budgetMs = 0;

  const handleRecord = (record: SQSRecord, deps: RecordDependencies, jobQueue: InvocationJobQueue | undefined) =>
    limit(async () => {
      const remainingMs = context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
      if (remainingMs < Math.min(options.minRemainingMsPerRecord, budgetMs / 4)) {
        throw new JobWatchError(`${remainingMs} ms left before the function timeout: record left for the next delivery`, { retryable: true });
      }
      jobQueue?.recordStarted();
      try {
        await processRecord(record, deps);
      } catch (error) {
        // BatchProcessor keeps failures to itself: say what failed, or operators see nothing.
        options.logger.error('record failed: it will be delivered again', {
          messageId: record.messageId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      } finally {
        // Lets the batched sends of the records still running go out once they all wait.
        jobQueue?.recordEnded();
      }
    });

  return middy(async (event: SQSEvent, lambdaContext: Context): Promise<SQSBatchResponse> => {
    context = lambdaContext;
    budgetMs = lambdaContext.getRemainingTimeInMillis();
    options.record.publisher.registerLambdaContext(lambdaContext);
    const jobQueue = options.invocationJobQueue?.();
    const deps = jobQueue ? { ...options.record, jobQueue } : options.record;
    // throwOnFullBatchFailure: false, so a batch whose records all need a retry is reported
    // item by item rather than as a function error, which would count against the alarms.
    return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, deps, jobQueue), processor, {
      context: lambdaContext,
      throwOnFullBatchFailure: false,
    });
  })
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(logMetrics(options.metrics));
}
