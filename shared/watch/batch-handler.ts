import middy from '@middy/core';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startInvocation, type Invocation, type InvocationOptions } from './invocation';
import { processRecord } from './process-record';
import { describeError } from '../errors';

export interface BatchHandlerOptions extends InvocationOptions {
  /**
   * Flushed once per invocation. Powertools keeps its stored metrics per invocation on
   * Lambda Managed Instances (InvokeStore); elsewhere one invocation at a time runs.
   */
  readonly metrics: Metrics;
}

/**
 * The SQS batch handler: records are processed concurrently (bounded), and only those
 * that must be retried are reported in `batchItemFailures`. Requires
 * `ReportBatchItemFailures` on the event source mapping.
 *
 * Safe for several invocations at once in one process (Lambda Managed Instances): each
 * invocation gets its own processor, logger, limiter and time budget (`startInvocation`);
 * only what is meant to be shared (clients, the token cache, the publisher) is shared.
 */
export function createBatchHandler(options: BatchHandlerOptions) {
  // The one fact about the environment, not the invocation: only its first invocation is cold.
  let coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand';
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const invocation = startInvocation(context, options, coldStart);
    coldStart = false;
    try {
      // throwOnFullBatchFailure: false, so a batch whose records all need a retry is reported
      // item by item rather than as a function error, which would count against the alarms.
      return await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, invocation), invocation.processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      await invocation.end();
    }
  }).use(logMetrics(options.metrics));
}

/** One record within its invocation: started only with time for its worst path, retried when it runs out. */
function handleRecord(record: SQSRecord, invocation: Invocation): Promise<void> {
  return invocation.limit(async () => {
    try {
      const time = invocation.startRecord();
      invocation.gate.recordStarted();
      try {
        await processRecord(record, invocation.record, time);
      } finally {
        time.end();
        // Lets the batched calls of the records still running go out once they all wait.
        invocation.gate.recordEnded();
      }
    } catch (error) {
      const reason = describeError(error);
      // Its last delivery: into the DLQ with the reason, not moved there by SQS without one.
      if (await invocation.deadLetterLastDelivery(record, reason)) {
        invocation.logger.error('record failed on its last delivery: sent to the dead-letter queue with the reason', { messageId: record.messageId, error: reason });
        return;
      }
      // BatchProcessor keeps failures to itself: say what failed, or operators see nothing.
      invocation.logger.error('record failed: it will be delivered again', { messageId: record.messageId, error: reason });
      throw error;
    }
  });
}
