import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
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

  const handleRecord = (record: SQSRecord) =>
    limit(async () => {
      const remainingMs = context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
      if (remainingMs < Math.min(options.minRemainingMsPerRecord, budgetMs / 4)) {
        throw new JobWatchError(`${remainingMs} ms left before the function timeout: record left for the next delivery`, { retryable: true });
      }
      try {
        await processRecord(record, options.record);
      } catch (error) {
        // BatchProcessor keeps failures to itself: say what failed, or operators see nothing.
        options.logger.error('record failed: it will be delivered again', {
          messageId: record.messageId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
    });

  return middy(async (event: SQSEvent, lambdaContext: Context): Promise<SQSBatchResponse> => {
    context = lambdaContext;
    budgetMs = lambdaContext.getRemainingTimeInMillis();
    options.record.publisher.registerLambdaContext(lambdaContext);
    // throwOnFullBatchFailure: false, so a batch whose records all need a retry is reported
    // item by item rather than as a function error, which would count against the alarms.
    return processPartialResponse(event, handleRecord, processor, { context: lambdaContext, throwOnFullBatchFailure: false });
  })
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(logMetrics(options.metrics));
}
