import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AlationClient } from '../../shared/alation/client';
import type { Outcome } from '../../shared/contracts/outcome';
import { powertoolsWatchMetrics, recordLogger } from '../../shared/aws/observability';
import { createSecretTokenProvider } from '../../shared/aws/token-provider';
import { createBatchHandler } from '../../shared/watch/batch-handler';
import type { KindDurationStore } from '../../shared/watch/kind-duration-store';
import { captureLogs } from '../chaos/support/log-capture';
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

  describe('a record that fails on its last delivery (maxReceiveCount)', () => {
    const delivery = (n: number, messageId: string) => {
      const record = sqsRecord({ jobId: 2 }, messageId);
      return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(n) } };
    };
    const failingPublish = (h: Harness) => ({ ...h.deps.publisher, publish: async () => Promise.reject(new Error('SNS down')) });

    it('goes to the DLQ with the reason instead of back to the queue', async () => {
      const h = createHarness(() => statusResponse('successful'));
      const handler = createBatchHandler({ record: { ...h.deps, publisher: failingPublish(h) }, concurrency: 2, maxReceiveCount: 5, ...quiet(h) });

      const response = await handler(event(delivery(4, 'fourth'), delivery(5, 'last')), context);

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'fourth' }] });
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0]).toMatchObject({
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq',
        MessageBody: JSON.stringify({ jobId: 2 }),
        MessageAttributes: {
          reason: { StringValue: 'failed on its last delivery (5 of 5): Error: SNS down' },
          sourceMessageId: { StringValue: 'last' },
        },
      });
    });

    it('is retried as before when the DLQ write fails, or the queue setting is unknown', async () => {
      const h = createHarness(() => statusResponse('successful'));
      const jobQueue = { ...h.deps.jobQueue, deadLetter: async () => Promise.reject(new Error('SQS down')) };
      const broken = createBatchHandler({ record: { ...h.deps, jobQueue, publisher: failingPublish(h) }, concurrency: 1, maxReceiveCount: 5, ...quiet(h) });
      expect(await broken(event(delivery(5, 'last')), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'last' }] });

      const unknown = createBatchHandler({ record: { ...h.deps, publisher: failingPublish(h) }, concurrency: 1, ...quiet(h) });
      expect(await unknown(event(delivery(9, 'ninth')), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'ninth' }] });
      expect(h.sent).toEqual([]);
    });

    it('is retried when too little of the invocation is left for the DLQ write', async () => {
      const h = createHarness(() => statusResponse('successful'));
      const handler = createBatchHandler({ record: { ...h.deps, publisher: failingPublish(h) }, concurrency: 1, maxReceiveCount: 5, ...quiet(h) });
      // 30 s when the invocation starts, then 100 ms: the record does not start (1 s reserve), and
      // one AWS call's worst (500 ms ÷ 3) does not fit either.
      let calls = 0;
      const almostOver = { ...context, getRemainingTimeInMillis: () => (calls++ === 0 ? 30_000 : 100) } as unknown as Context;
      const response = await handler(event(delivery(5, 'last')), almostOver);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'last' }] });
      expect(h.sent).toEqual([]);
    });
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

describe('a record runs within its share of the invocation', () => {
  it('stops a token refresh stuck on a secret read that never answers, and leaves the record for the next delivery', async () => {
    // 401 with the cached token → the secret is read again → that read never answers (no timeout of its own).
    const h = createHarness(() => ({ httpStatus: 401, body: { detail: 'Invalid token' } }));
    let reads = 0;
    const tokens = createSecretTokenProvider({
      secretId: 'alation-token',
      secrets: { get: () => (++reads === 1 ? Promise.resolve('token-v1') : new Promise(() => undefined)) },
      mint: async () => 'minted',
    });
    const deadline = Date.now() + 1500;
    const live = { ...context, getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
    const handler = createBatchHandler({ record: { ...h.deps, tokens }, concurrency: 1, ...quiet(h), reserves: { startMs: 600, effectMs: 400 } });

    const started = Date.now();
    const response = await handler(event(sqsRecord({ jobId: 1 }, 'a')), live);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(Date.now() - started).toBeLessThan(1500 - 300); // stopped with the effect reserve left, not at the timeout
    expect(reads).toBe(2);
    expect(h.sent).toEqual([]);
    expect(h.published).toEqual([]);
  });

  it('does not start a publish when the check used up the time the publish needs (shrinking clock)', async () => {
    const clock = { remainingMs: 30_000 };
    const h = createHarness(() => {
      clock.remainingMs = 450; // Alation took almost the whole invocation
      return statusResponse('successful');
    });
    const handler = createBatchHandler({ record: h.deps, concurrency: 1, ...quiet(h) });

    const response = await handler(event(sqsRecord({ jobId: 1 }, 'a')), { ...context, getRemainingTimeInMillis: () => clock.remainingMs } as Context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(h.published).toEqual([]);
  });
});

describe('concurrent invocations of one handler instance (Lambda Managed Instances)', () => {
  it('keeps each invocation’s failures, records and log lines to itself', async () => {
    // Every job is finished; publishing an even job fails. Answers come back in a shuffled order.
    const h = createHarness(() => statusResponse('successful'));
    const alation: AlationClient = {
      ...h.deps.alation,
      getJobStatus: async (job, token, signal) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
        return h.deps.alation.getJobStatus(job, token, signal);
      },
    };
    const publisher = {
      publish: async (o: Outcome) => ('id' in o.job && o.job.id % 2 === 0 ? Promise.reject(new Error('SNS down')) : h.deps.publisher.publish(o)),
    };
    const capture = captureLogs();
    let responses: SQSBatchResponse[];
    try {
      const handler = createBatchHandler({
        record: { ...h.deps, alation, publisher },
        concurrency: 3,
        reserves: { startMs: 1000, effectMs: 500 },
        recordLogger,
        logger: new Logger({ serviceName: 'test' }),
        metrics: new Metrics({ namespace: 'Test', serviceName: 'test', singleMetric: false }),
      });
      responses = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          handler(
            event(...Array.from({ length: 10 }, (_, k) => sqsRecord({ jobId: i * 100 + k + 1 }, `inv${i}-${k}`))),
            { ...context, awsRequestId: `req-${i}` } as Context,
          ),
        ),
      );
    } finally {
      capture.restore();
    }

    responses.forEach((response, i) => {
      const expected = Array.from({ length: 10 }, (_, k) => k).filter((k) => (i * 100 + k + 1) % 2 === 0).map((k) => `inv${i}-${k}`);
      expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(expected.sort());
    });
    expect(h.published).toHaveLength(20);
    const lines = capture.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.filter((l) => l.message === 'record failed: it will be delivered again');
    const published = lines.filter((l) => l.message === 'outcome published');
    expect(failed).toHaveLength(20);
    expect(published).toHaveLength(20);
    for (const line of [...failed, ...published]) {
      const invocation = String(line.messageId).split('-')[0]!.replace('inv', '');
      expect(line.function_request_id).toBe(`req-${invocation}`);
    }
  });
});

describe('what one invocation writes once, after its records', () => {
  const FINISHED = { msg: 'Job finished in 42.0 seconds at 2026-03-01 12:00:40.000000+00:00' };
  const kinds = ['lineage', 'lineage', 'metadata-extraction', 'lineage'];
  const finishedBatch = () => event(...kinds.map((kind, i) => sqsRecord({ jobId: i + 1, kind }, `m${i}`)));

  function durationStore(fail = false) {
    const writes: { kind: string; seconds: readonly number[]; publishedBefore: number }[] = [];
    let published = () => 0;
    const durations: KindDurationStore = {
      read: async () => null,
      record: async () => Promise.reject(new Error('one write per sample: not expected here')),
      recordAll: async (kind, seconds) => {
        writes.push({ kind, seconds, publishedBefore: published() });
        if (fail) throw new Error('DynamoDB unavailable');
        return true;
      },
    };
    return { durations, writes, countPublished: (f: () => number) => void (published = f) };
  }

  it('writes the learned durations once per kind, after every outcome of the batch is published', async () => {
    const h = createHarness(() => statusResponse('successful', FINISHED));
    const store = durationStore();
    store.countPublished(() => h.published.length);
    const handler = createBatchHandler({ record: { ...h.deps, durations: store.durations }, concurrency: 10, ...quiet(h) });

    const response = await handler(finishedBatch(), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.writes.map((w) => [w.kind, w.seconds.length, w.publishedBefore])).toEqual([
      ['lineage', 3, 4],
      ['metadata-extraction', 1, 4],
    ]);
  });

  it('leaves every record done and published when the duration write fails, and logs the loss', async () => {
    const h = createHarness(() => statusResponse('successful', FINISHED));
    const store = durationStore(true);
    const capture = captureLogs();
    let response: SQSBatchResponse;
    try {
      const handler = createBatchHandler({ record: { ...h.deps, durations: store.durations }, concurrency: 10, ...quiet(h), logger: new Logger({ serviceName: 'test' }) });
      response = await handler(finishedBatch(), context);
    } finally {
      capture.restore();
    }

    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.published.map((o) => o.job)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    expect(store.writes).toHaveLength(2);
    const lines = capture.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.message === 'durations not learned: the store failed').map((l) => l.kind).sort()).toEqual(['lineage', 'metadata-extraction']);
  });

  it('counts the outcomes of one invocation in one metric document per status, with their sum', async () => {
    const h = createHarness((url) => (url.endsWith('id=3') ? statusResponse('failed') : statusResponse('successful')));
    const capture = captureLogs();
    try {
      const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
      const handler = createBatchHandler({
        record: { ...h.deps, metrics: powertoolsWatchMetrics(metrics) },
        concurrency: 10,
        ...quiet(h),
        metrics,
      });
      await handler(event(...[1, 2, 3, 4].map((jobId) => sqsRecord({ jobId }, `m${jobId}`))), context);
    } finally {
      capture.restore();
    }

    const documents = capture.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const outcomes = documents.filter((d) => 'OutcomesPublished' in d).map((d) => [d.status, d.OutcomesPublished]);
    expect(outcomes.sort()).toEqual([
      ['failed', 1],
      ['successful', 3],
    ]);
  });
});
