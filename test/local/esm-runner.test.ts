import { createHash } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../shared/local/aws/local-aws';
import { provisionJobWatch, type JobWatchResources } from '../../shared/local/aws/provision';
import { EventSourceMappingConfigError } from '../../shared/local/esm-runner/errors';
import {
  startEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../../shared/local/esm-runner/event-source-mapping';

let aws: LocalAws;
let running: EventSourceMapping[] = [];
let queues = 0;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterEach(async () => {
  await Promise.all(running.map((esm) => esm.stop()));
  running = [];
});

afterAll(async () => {
  await aws.stop();
});

/** A job queue of its own per test: 1 s visibility so redeliveries show up quickly. */
const freshQueues = (maxReceiveCount = 5): Promise<JobWatchResources> =>
  provisionJobWatch(aws, { prefix: `esm-${++queues}`, tokenSecretValue: 't', visibilityTimeoutSeconds: 1, maxReceiveCount });

const run = (res: JobWatchResources, options: Pick<EventSourceMappingOptions, 'handler'> & Partial<EventSourceMappingOptions>) => {
  const esm = startEventSourceMapping({
    sqs: aws.clients().sqs,
    queueUrl: res.jobQueue.url,
    queueArn: res.jobQueue.arn,
    functionTimeoutMs: 1_000,
    ...options,
  });
  running.push(esm);
  return esm;
};

const send = async (res: JobWatchResources, ...bodies: string[]): Promise<string[]> => {
  const { Successful } = await aws.clients().sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: res.jobQueue.url,
      Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
    }),
  );
  return (Successful ?? []).sort((a, b) => Number(a.Id) - Number(b.Id)).map((s) => s.MessageId ?? '');
};

/** Retries an assertion until it passes or the time is up. */
async function eventually(assertion: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const queueDepth = async (queueUrl: string): Promise<number> => {
  const { Attributes } = await aws.clients().sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
};

/** Handler that records what it was called with, and answers with `respond`. */
function recordingHandler(respond: (event: SQSEvent, call: number) => unknown = () => undefined) {
  const calls: Array<{ event: SQSEvent; context: Context; remainingAtStart: number }> = [];
  const handler = async (event: SQSEvent, context: Context) => {
    calls.push({ event, context, remainingAtStart: context.getRemainingTimeInMillis() });
    return (await respond(event, calls.length)) as SQSBatchResponse | undefined;
  };
  const seen = (): SQSRecord[] => calls.flatMap((c) => c.event.Records);
  return { handler, calls, seen };
}

describe('the local SQS event source mapping', () => {
  it('delivers Lambda-shaped records and a Lambda context', async () => {
    const res = await freshQueues();
    const sentAt = Date.now();
    const { MessageId } = await aws.clients().sqs.send(
      new SendMessageCommand({
        QueueUrl: res.jobQueue.url,
        MessageBody: '{"jobId":42}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'bulk' } },
      }),
    );
    const { handler, calls } = recordingHandler();

    run(res, { handler, functionName: 'job-status-local' });
    await eventually(() => expect(calls).toHaveLength(1));

    const { event, context, remainingAtStart } = calls[0]!;
    const [record] = event.Records;
    expect(event.Records).toHaveLength(1);
    expect(record).toMatchObject({
      messageId: MessageId,
      body: '{"jobId":42}',
      md5OfBody: createHash('md5').update('{"jobId":42}').digest('hex'),
      messageAttributes: { kind: { stringValue: 'bulk', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      eventSource: 'aws:sqs',
      eventSourceARN: res.jobQueue.arn,
      awsRegion: 'us-east-1',
    });
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(record?.attributes.SenderId).toEqual(expect.any(String));
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(sentAt - 1_000);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record?.attributes.SentTimestamp));
    expect(context.functionName).toBe('job-status-local');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(remainingAtStart).toBeGreaterThan(0);
    expect(remainingAtStart).toBeLessThanOrEqual(1_000);
  });

  it('deletes every record of a successful batch', async () => {
    const res = await freshQueues();
    await send(res, 'a', 'b', 'c');
    const { handler, seen } = recordingHandler(() => ({ batchItemFailures: [] }));

    const esm = run(res, { handler });
    await eventually(() => expect(esm.stats().deleted).toBe(3));

    expect(await queueDepth(res.jobQueue.url)).toBe(0);
    expect(seen().map((r) => r.body).sort()).toEqual(['a', 'b', 'c']);
  });

  it('leaves reported failures on the queue, and they come back after the visibility timeout', async () => {
    const res = await freshQueues();
    const [, failingId] = await send(res, 'ok', 'fails-once');
    const { handler, seen } = recordingHandler((event, call) =>
      call === 1 ? { batchItemFailures: event.Records.filter((r) => r.body === 'fails-once').map((r) => ({ itemIdentifier: r.messageId })) } : undefined,
    );

    const esm = run(res, { handler });
    await eventually(() => expect(seen().filter((r) => r.body === 'fails-once')).toHaveLength(2));
    await eventually(() => expect(esm.stats().deleted).toBe(2));

    const redelivered = seen().filter((r) => r.body === 'fails-once')[1];
    expect(redelivered?.messageId).toBe(failingId);
    expect(redelivered?.attributes.ApproximateReceiveCount).toBe('2');
    expect(seen().filter((r) => r.body === 'ok')).toHaveLength(1);
    expect(esm.stats()).toMatchObject({ failuresReported: 1, batchesFailed: 0 });
    expect(await queueDepth(res.jobQueue.url)).toBe(0);
  });

  it('puts the whole batch back when the handler throws', async () => {
    const res = await freshQueues();
    await send(res, 'x', 'y');
    const { handler, seen } = recordingHandler((_, call) => {
      if (call === 1) throw new Error('Alation unreachable');
    });

    const esm = run(res, { handler });
    await eventually(() => expect(esm.stats().deleted).toBe(2));

    expect(seen().map((r) => [r.body, r.attributes.ApproximateReceiveCount]).sort()).toEqual([
      ['x', '1'],
      ['x', '2'],
      ['y', '1'],
      ['y', '2'],
    ]);
    expect(esm.stats()).toMatchObject({ handlerErrors: 1, batchesFailed: 1 });
  });

  it('puts the whole batch back when a failure names a message that is not in the batch', async () => {
    const res = await freshQueues();
    await send(res, 'p', 'q');
    const { handler, seen } = recordingHandler((_, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] } : undefined));

    const esm = run(res, { handler });
    await eventually(() => expect(esm.stats().deleted).toBe(2));

    expect(seen()).toHaveLength(4);
    expect(esm.stats()).toMatchObject({ invalidResponses: 1, batchesFailed: 1, failuresReported: 0 });
  });

  it('puts the whole batch back when the handler runs past the function timeout', async () => {
    const res = await freshQueues();
    await send(res, 'slow');
    const { handler, seen } = recordingHandler(async (_, call) => {
      if (call === 1) await new Promise((resolve) => setTimeout(resolve, 400));
    });

    const esm = run(res, { handler, functionTimeoutMs: 150 });
    await eventually(() => expect(esm.stats().deleted).toBe(1));

    expect(seen().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(esm.stats()).toMatchObject({ timeouts: 1, handlerErrors: 1, batchesFailed: 1 });
  });

  it('lets the redrive policy move a record to the DLQ after maxReceiveCount failures', async () => {
    const res = await freshQueues(2);
    const [poisonId] = await send(res, 'poison');
    const { handler, seen } = recordingHandler((event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));

    const esm = run(res, { handler });
    let dead: string[] = [];
    await eventually(async () => {
      const { Messages } = await aws.clients().sqs.send(new ReceiveMessageCommand({ QueueUrl: res.deadLetterQueue.url }));
      dead = [...dead, ...(Messages ?? []).map((m) => `${m.MessageId}:${m.Body}`)];
      expect(dead).toEqual([`${poisonId}:poison`]);
    }, 8_000);

    expect(seen().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(esm.stats()).toMatchObject({ failuresReported: 2, deleted: 0 });
  });

  it('waits for the batch in flight when stopped, and still deletes it', async () => {
    const res = await freshQueues();
    await send(res, 'in-flight');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { handler, calls } = recordingHandler(() => gate);
    const esm = run(res, { handler });
    await eventually(() => expect(calls).toHaveLength(1));

    let stopped = false;
    const stopping = esm.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stoppedBeforeRelease = stopped;
    release();
    await stopping;

    expect(stoppedBeforeRelease).toBe(false);
    expect(esm.stats().deleted).toBe(1);
    expect(await queueDepth(res.jobQueue.url)).toBe(0);
  });

  it('stops at once while long polling an empty queue, without reporting the aborted poll as an error', async () => {
    const res = await freshQueues();
    const errors: Error[] = [];
    const esm = run(res, { handler: () => undefined, waitTimeSeconds: 10, onError: (e) => errors.push(e) });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    await esm.stop();

    expect(Date.now() - started).toBeLessThan(500);
    expect(errors).toEqual([]);
    expect(esm.stats()).toMatchObject({ batches: 0, pollingErrors: 0 });
  });

  it('reports each settled batch to onBatch', async () => {
    const res = await freshQueues();
    const [okId, failId] = await send(res, 'fine', 'broken');
    const results: Array<{ kind: string; failed: readonly string[]; records: number }> = [];
    const { handler } = recordingHandler((event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'broken').map((r) => ({ itemIdentifier: r.messageId })),
    }));

    run(res, {
      handler,
      onBatch: ({ event, settlement }) =>
        results.push({ kind: settlement.kind, failed: settlement.failedMessageIds, records: event.Records.length }),
    });
    await eventually(() => expect(results.length).toBeGreaterThanOrEqual(1));

    expect(results[0]).toEqual({ kind: 'partially-failed', failed: [failId], records: 2 });
    expect(okId).not.toBe(failId);
  });

  it('refuses a visibility timeout shorter than the function timeout, as AWS does', () => {
    const start = () =>
      startEventSourceMapping({
        sqs: aws.clients().sqs,
        queueUrl: 'unused',
        queueArn: 'unused',
        handler: () => undefined,
        visibilityTimeoutSeconds: 1,
        functionTimeoutMs: 5_000,
      });

    expect(start).toThrow(EventSourceMappingConfigError);
  });
});
