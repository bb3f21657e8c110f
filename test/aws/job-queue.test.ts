import { ReceiveMessageCommand, SQSClient, type Message, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBatchingJobQueue, MAX_BATCH_BYTES, type InvocationJobQueue } from '../../shared/aws/job-queue';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { jobRef } from '../support/factories';
import { refuseBatchEntries } from '../support/refuse-batch-entries';

let aws: LocalAws;
let resources: JobWatchResources;
let sqs: SQSClient;
/** Every SendMessageBatch request the client made, and which entry ids to refuse next. */
let requests: SendMessageBatchCommandInput[];
let refuseIds: Set<string>;
let refuseWholeRequest: boolean;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused', prefix: 'batching' });
  sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: aws.endpoints.sqs });
  // Partial failures the way SQS reports them: the refused entries never reach the queue and
  // come back in `Failed`, the others are sent. Real client, real fauxqs for the rest.
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as SendMessageBatchCommandInput;
      requests.push(input);
      if (refuseWholeRequest) throw Object.assign(new Error('injected: ServiceUnavailable'), { name: 'ServiceUnavailable' });
      return refuseBatchEntries(args, next, 'Entries', (e) => refuseIds.has(e.Id as string));
    },
    { step: 'initialize', name: 'partialBatchFailures' },
  );
});
afterAll(async () => {
  sqs.destroy();
  await aws.stop();
});
beforeEach(() => {
  requests = [];
  refuseIds = new Set();
  refuseWholeRequest = false;
});

const queue = () => createBatchingJobQueue({ sqs, jobQueueUrl: resources.jobQueue.url, deadLetterQueueUrl: resources.deadLetterQueue.url });

async function receiveAll(queueUrl: string, expected: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < 20 && messages.length < expected; i++) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    messages.push(...(Messages ?? []));
  }
  // One more look, so a message sent twice would show.
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return [...messages, ...(Messages ?? [])];
}

/** `n` records of one invocation, each re-sending its job. */
function requeueAll(q: InvocationJobQueue, n: number, firstId = 1) {
  for (let i = 0; i < n; i++) q.recordStarted();
  return Array.from({ length: n }, (_, i) =>
    q.requeue(jobRef({ job: { id: firstId + i } }), 0).finally(() => q.recordEnded()),
  );
}

describe('the batching job queue (fauxqs)', () => {
  it('sends the re-sends of ten records in one SendMessageBatch request', async () => {
    await Promise.all(requeueAll(queue(), 10, 100));

    expect(requests).toHaveLength(1);
    expect(requests[0]?.Entries).toHaveLength(10);
    const bodies = (await receiveAll(resources.jobQueue.url, 10)).map((m) => JSON.parse(m.Body as string).jobId);
    expect(bodies.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });

  it('sends as soon as every record still running waits, without waiting for ten', async () => {
    const q = queue();
    q.recordStarted();
    q.recordStarted();
    q.recordStarted();
    const sent = q.requeue(jobRef({ job: { id: 200 } }), 0);
    q.recordEnded(); // a record that published instead
    const other = q.requeue(jobRef({ job: { id: 201 } }), 0);
    await Promise.all([sent, other]);

    expect(requests.map((r) => r.Entries?.length)).toEqual([2]);
    expect(await receiveAll(resources.jobQueue.url, 2)).toHaveLength(2);
  });

  it('cuts 25 re-sends into requests of at most ten', async () => {
    await Promise.all(requeueAll(queue(), 25, 300));
    expect(requests.map((r) => r.Entries?.length)).toEqual([10, 10, 5]);
    expect(await receiveAll(resources.jobQueue.url, 25)).toHaveLength(25);
  });

  it('keeps each request under the batch size limit', async () => {
    const q = queue();
    for (let i = 0; i < 3; i++) q.recordStarted();
    const big = 'x'.repeat(100 * 1024);
    await Promise.all([0, 1, 2].map((i) => q.deadLetter(`${i}${big}`, 'too big to be a job reference', `m-${i}`).finally(() => q.recordEnded())));

    expect(requests.map((r) => r.Entries?.length)).toEqual([2, 1]);
    for (const r of requests) expect((r.Entries ?? []).reduce((n, e) => n + (e.MessageBody?.length ?? 0), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    const dead = await receiveAll(resources.deadLetterQueue.url, 3);
    expect(dead).toHaveLength(3);
    expect(dead[0]?.MessageAttributes?.reason?.StringValue).toBe('too big to be a job reference');
  });

  it("fails only the refused entry's record, and sends nothing twice", async () => {
    refuseIds = new Set(['3', '7']);
    const results = await Promise.allSettled(requeueAll(queue(), 10, 400));

    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 3 || i === 7 ? 'rejected' : 'fulfilled')));
    expect(String((results[3] as PromiseRejectedResult).reason)).toMatch(/SQS refused the message \(InternalError: injected\)/);
    expect(requests).toHaveLength(1);
    const ids = (await receiveAll(resources.jobQueue.url, 8)).map((m) => JSON.parse(m.Body as string).jobId);
    expect(ids.sort((a, b) => a - b)).toEqual([400, 401, 402, 404, 405, 406, 408, 409]);
  });

  it('fails every record of a request that fails as a whole, and retries none of them itself', async () => {
    refuseWholeRequest = true;
    const results = await Promise.allSettled(requeueAll(queue(), 4, 500));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(requests).toHaveLength(1);
  });
});
