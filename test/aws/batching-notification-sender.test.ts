/**
 * Outcome publishes of one invocation as `PublishBatch` requests: the real SNS client against
 * fauxqs (the outcome topic with its raw-delivery queue and a filtered subscriber), the real
 * idempotency store on dynalite. Partial failures are made the way SNS reports them: refused
 * entries come back in `Failed` and never reach the topic; the others are published.
 */
import { SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBatchingNotificationSender, SNS_BATCH_LIMITS } from '../../shared/aws/batching-notification-sender';
import { createBatchGate, type BatchGate } from '../../shared/aws/invocation-gate';
import { createSnsOutcomePublisher, type OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { jobKey } from '../../shared/alation/job-identifier';
import { readOutcomeMessage } from '../../shared/contracts/read-outcome';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { buildNotification } from '../../shared/notify/notification';
import { drainExpecting } from '../support/drain-expecting';
import { outcome } from '../support/outcomes';
import { refuseBatchEntries } from '../support/refuse-batch-entries';

let aws: LocalAws;
let resources: JobWatchResources;
let sns: SNSClient;
/** Every request the client made (command and input), and what to refuse next. */
let requests: { command: string; entries: number }[];
let refuseJobs: Set<number>;
let refuseWholeRequest: boolean;

const jobIdOf = (message: string | undefined) => Number(/\\"job\\":\{\\"id\\":(\d+)/.exec(message ?? '')?.[1]);

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused', prefix: 'publish-batch', subscribers: [{ name: 'failed-only', filterPolicy: { status: ['failed'] } }] });
  sns = new SNSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: aws.endpoints.sns });
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      if (command === 'PublishCommand') requests.push({ command, entries: 1 });
      if (command !== 'PublishBatchCommand') return next(args);
      const input = args.input as PublishBatchCommandInput;
      const entries = input.PublishBatchRequestEntries ?? [];
      requests.push({ command, entries: entries.length });
      if (refuseWholeRequest) throw Object.assign(new Error('injected: ServiceUnavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
      return refuseBatchEntries(args, next, 'PublishBatchRequestEntries', (e) => refuseJobs.has(jobIdOf(e.Message)));
    },
    { step: 'initialize', name: 'partialPublishFailures' },
  );
});
afterAll(async () => {
  sns.destroy();
  await aws.stop();
});
beforeEach(() => {
  requests = [];
  refuseJobs = new Set();
  refuseWholeRequest = false;
});

const publisher = (): OutcomePublisher =>
  createSnsOutcomePublisher({ sns, topicArn: resources.outcomeTopic.arn, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name });

/** What Powertools reads of the invocation: the in-progress record expires with it. */
const lambdaContext = { getRemainingTimeInMillis: () => 30_000 } as Context;

/** Ten records of one invocation, each publishing its outcome through the invocation's gate. */
async function publishAsOneInvocation(ids: readonly number[], status: (id: number) => 'successful' | 'failed' = () => 'successful') {
  // No timer flush: the records' idempotency claims, not a 25 ms cap, decide when the batch goes.
  const gate: BatchGate = createBatchGate({ maxWaitMs: 60_000 });
  const bound = publisher().forInvocation?.(gate);
  if (!bound) throw new Error('the SNS publisher batches per invocation');
  for (const _ of ids) gate.recordStarted();
  return Promise.allSettled(
    ids.map((id) =>
      bound.publish(outcome({ job: { id }, status: status(id) }), lambdaContext).finally(() => gate.recordEnded()),
    ),
  );
}

describe('outcome publishes batched per invocation (PublishBatch on fauxqs, idempotency on dynalite)', () => {
  it('publishes ten outcomes in one request, each delivered once with its filterable attributes', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => 1001 + i);
    const results = await publishAsOneInvocation(ids, (id) => (id % 2 === 0 ? 'failed' : 'successful'));
    expect(results.every((r) => r.status === 'fulfilled' && r.value.published)).toBe(true);
    expect(requests).toEqual([{ command: 'PublishBatchCommand', entries: 10 }]);

    const received = (await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 10)).map((m) => readOutcomeMessage(m.body));
    expect(received.map((o) => jobKey(o.job)).sort()).toEqual(ids.map((id) => `id:${id}`).sort());
    // The filter policy saw each entry's own attributes.
    const failedOnly = (await drainExpecting(aws.clients().sqs, resources.subscribers['failed-only']!.url, 5)).map((m) => readOutcomeMessage(m.body));
    expect(failedOnly.map((o) => jobKey(o.job)).sort()).toEqual(ids.filter((id) => id % 2 === 0).map((id) => `id:${id}`).sort());
  });

  it('fails only the publishes whose entries SNS refused, releasing their claims so a retry publishes them once', async () => {
    const ids = [2001, 2002, 2003, 2004];
    refuseJobs = new Set([2002, 2004]);
    const first = await publishAsOneInvocation(ids);
    expect(first.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(String((first[1] as PromiseRejectedResult).reason)).toContain('SNS refused the outcome (InternalError: injected)');

    refuseJobs = new Set();
    const retry = await publishAsOneInvocation(ids);
    // The two published before are suppressed; the two refused are published now.
    expect(retry.map((r) => r.status === 'fulfilled' && r.value.published)).toEqual([false, true, false, true]);
    const received = (await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 4)).map((m) => readOutcomeMessage(m.body));
    expect(received.map((o) => jobKey(o.job)).sort()).toEqual(ids.map((id) => `id:${id}`));
  });

  it('fails every publish of a request refused as a whole, and publishes them once on the retry', async () => {
    const ids = [3001, 3002, 3003];
    refuseWholeRequest = true;
    const first = await publishAsOneInvocation(ids);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    refuseWholeRequest = false;
    const retry = await publishAsOneInvocation(ids);
    expect(retry.every((r) => r.status === 'fulfilled' && r.value.published)).toBe(true);
    expect((await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 3)).length).toBe(3);
  });

  it('publishes a record alone with a plain Publish, as before batching', async () => {
    const [only] = await publishAsOneInvocation([4001]);
    expect(only).toMatchObject({ status: 'fulfilled', value: { published: true } });
    expect(requests).toEqual([{ command: 'PublishCommand', entries: 1 }]);
    expect((await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 1)).length).toBe(1);
  });

  it('cuts requests at the 256 KiB batch payload: outcomes near the SNS size limit go one per request', async () => {
    const big = (id: number) => outcome({ job: { id }, message: 'x'.repeat(120_000) });
    const { bytes } = buildNotification(big(5001));
    expect(bytes).toBeGreaterThan(SNS_BATCH_LIMITS.payloadBytes / 3);
    const gate = createBatchGate();
    const send = createBatchingNotificationSender({ sns, topicArn: resources.outcomeTopic.arn, gate });
    const ids = [5001, 5002, 5003];
    const sent = await Promise.all(ids.map((id) => send(buildNotification(big(id)))));
    expect(new Set(sent).size).toBe(3);
    // No request carried more than the limit; two of these fit one request.
    const perRequest = Math.floor(SNS_BATCH_LIMITS.payloadBytes / bytes);
    expect(requests.every((r) => r.entries <= perRequest)).toBe(true);
    expect(requests.reduce((n, r) => n + r.entries, 0)).toBe(3);
    expect((await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 3)).length).toBe(3);
  });
});
