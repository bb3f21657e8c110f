import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { processRecord, type RecordDependencies } from './process-record';

export interface BatchHandlerOptions {
  readonly record: RecordDependencies;
  /** Records of one batch in flight at once: the bound on parallel calls to Alation. */
  readonly concurrency: number;
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
  const handleRecord = (record: SQSRecord) => limit(() => processRecord(record, options.record));

  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    options.record.publisher.registerLambdaContext(context);
    // throwOnFullBatchFailure: false, so a batch whose records all need a retry is reported
    // item by item rather than as a function error, which would count against the alarms.
    return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
  })
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(logMetrics(options.metrics));
}
