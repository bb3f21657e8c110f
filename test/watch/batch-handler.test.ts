import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AlationClient } from '../../shared/alation/client';
import type { Outcome } from '../../shared/contracts/outcome';
import { createBatchHandler } from '../../shared/watch/batch-handler';
import { statusResponse } from '../support/alation-responses';
import { createHarness, sqsRecord, type Harness } from '../support/record-harness';

const context = {
  functionName: 'job-status',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const quiet = (h: Harness) => ({
  reserves: { startMs: 1000, effectMs: 500 },
  recordLogger: () => h.deps.forRecord,
  logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'Test', serviceName: 'test', singleMetric: false }),
});

const event = (...records: ReturnType<typeof sqsRecord>[]): SQSEvent => ({ Records: records });

describe('createBatchHandler', () => {
  it('reports only the records that must be retried', async () => {
    const h = createHarness((url) => (url.endsWith('id=2') ? statusResponse('successful') : statusResponse('running')));
    const publisher = {
      ...h.deps.publisher,
      publish: async (o: Outcome) => ('id' in o.job && o.job.id === 2 ? Promise.reject(new Error('SNS down')) : h.deps.publisher.publish(o)),
    };
    const handler = createBatchHandler({ record: { ...h.deps, publisher }, concurrency: 5, ...quiet(h) });

    const response = await handler(
      event(sqsRecord({ jobId: 1 }, 'a'), sqsRecord({ jobId: 2 }, 'b'), sqsRecord('garbage', 'c')),
      context,
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(h.sent.map((s) => s.QueueUrl).sort()).toEqual([
      'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
      'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq',
    ]);
  });

  it('reports every record, without throwing, when all of them fail', async () => {
    const h = createHarness(() => statusResponse('running'));
    const handler = createBatchHandler({ record: { ...h.deps, jobQueue: { ...h.deps.jobQueue, requeue: async () => Promise.reject(new Error('SQS down')) } }, concurrency: 2, ...quiet(h) });
    const response = await handler(event(sqsRecord({ jobId: 1 }, 'a'), sqsRecord({ jobId: 3 }, 'b')), context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
  });

  it('checks records concurrently, never more at once than the bound', async () => {
    const h = createHarness(() => statusResponse('running'));
    let inFlight = 0;
    let peak = 0;
    const alation: AlationClient = {
      ...h.deps.alation,
      getJobStatus: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        return { status: statusResponse('running'), latencyMs: 30 };
      },
    };
    const handler = createBatchHandler({ record: { ...h.deps, alation }, concurrency: 3, ...quiet(h) });
    const records = Array.from({ length: 10 }, (_, i) => sqsRecord({ jobId: i + 1 }, `m${i}`));

    const response = await handler(event(...records), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(peak).toBe(3);
    expect(h.sent).toHaveLength(10);
  });

  it('leaves records for the next delivery when too little of the invocation is left', async () => {
    const h = createHarness(() => statusResponse('running'));
    const remaining = [30_000, 800, 800];
    const late = { ...context, getRemainingTimeInMillis: () => remaining.shift() ?? 800 } as Context;
    const handler = createBatchHandler({ record: h.deps, concurrency: 1, ...quiet(h) });

    const response = await handler(event(sqsRecord({ jobId: 1 }, 'a'), sqsRecord({ jobId: 2 }, 'b')), late);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
    expect(h.alationRequests).toEqual([]);
    expect(h.sent).toEqual([]);
  });
});
