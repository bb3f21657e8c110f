/**
 * Found by an attacker's review: one 5xx answer to a `PublishBatch` that SNS had already carried
 * out. The function's SNS client retries a 5xx itself (`awsClientConfig`: `maxAttempts` 2), so
 * the whole batch is published again: ten outcomes reach the subscribers twice from one fault
 * (with one `Publish` per outcome the same fault doubled one). No client can take back what a
 * standard topic delivered; what the function does is say so: each record learns the request was
 * retried (`snsAttempts`) and logs a warning naming the `notificationId`, which the copies share
 * (docs/reliability.md). These tests pin how many copies a lost answer makes.
 *
 * Real SNS client with the function's configuration against fauxqs, real idempotency store on
 * dynalite; the fault is injected below the SDK's retry middleware, after fauxqs answered.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../shared/aws/client-timeouts';
import { createBatchGate } from '../../shared/aws/invocation-gate';
import { createSnsOutcomePublisher } from '../../shared/aws/outcome-publisher';
import { jobKey } from '../../shared/alation/job-identifier';
import { readOutcomeMessage } from '../../shared/contracts/read-outcome';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { warnIfPublishRetried } from '../../shared/watch/job-end';
import { drainExpecting } from '../support/drain-expecting';
import { outcome } from '../support/outcomes';

let aws: LocalAws;
let resources: JobWatchResources;
let sns: SNSClient;
/** PublishBatch requests that reached fauxqs, and how many 5xx answers are still to be made up after it answered. */
let batchRequestsSent = 0;
let lostAnswers = 0;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused', prefix: 'attack-retry' });
  sns = new SNSClient({ ...awsClientConfig(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: aws.endpoints.sns });
  // Below the retry middleware (finalizeRequest): SNS has done the work, then the answer is a 500.
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'PublishBatchCommand') {
        batchRequestsSent += 1;
        if (lostAnswers > 0) {
          lostAnswers -= 1;
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
        }
      }
      return result;
    },
    { step: 'deserialize', name: 'answerLostAfterPublish' },
  );
});
afterAll(async () => {
  sns.destroy();
  await aws.stop();
});

describe('a PublishBatch answer lost after SNS carried it out', () => {
  it('delivers each of the ten outcomes twice, with its notificationId, and every record reports the retried request', async () => {
    const lambdaContext = { getRemainingTimeInMillis: () => 30_000 } as Context;
    // No timer flush: the ten records' idempotency claims decide when the batch goes.
    const gate = createBatchGate({ maxWaitMs: 60_000 });
    const publisher = createSnsOutcomePublisher({ sns, topicArn: resources.outcomeTopic.arn, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name }).forInvocation?.(gate);
    if (!publisher) throw new Error('the SNS publisher batches per invocation');
    const ids = Array.from({ length: 10 }, (_, i) => 9001 + i);
    lostAnswers = 1;
    // Ten records of one invocation reach their publish together: one PublishBatch.
    for (const _ of ids) gate.recordStarted();
    const results = await Promise.all(ids.map((id) => publisher.publish(outcome({ job: { id } }), lambdaContext).finally(() => gate.recordEnded())));
    expect(results.map((r) => [r.published, r.snsAttempts])).toEqual(ids.map(() => [true, 2]));
    expect(batchRequestsSent).toBe(2); // the SDK sent the batch again

    const received = (await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 20)).map((m) => readOutcomeMessage(m.body));
    const perJob = new Map<string, string[]>();
    for (const o of received) perJob.set(jobKey(o.job), [...(perJob.get(jobKey(o.job)) ?? []), o.notificationId]);
    expect([...perJob.values()].map((copies) => [copies.length, new Set(copies).size])).toEqual(ids.map(() => [2, 1]));
  });

  it('delivers each outcome three times at most when both attempts are answered 5xx and the records are retried, always with its notificationId', async () => {
    const lambdaContext = { getRemainingTimeInMillis: () => 30_000 } as Context;
    const publisher = createSnsOutcomePublisher({ sns, topicArn: resources.outcomeTopic.arn, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name });
    const ids = Array.from({ length: 10 }, (_, i) => 9101 + i);
    /** One invocation: its ten records publish through its gate. */
    const invocation = async () => {
      const gate = createBatchGate({ maxWaitMs: 60_000 });
      const bound = publisher.forInvocation?.(gate);
      if (!bound) throw new Error('the SNS publisher batches per invocation');
      for (const _ of ids) gate.recordStarted();
      return Promise.allSettled(ids.map((id) => bound.publish(outcome({ job: { id } }), lambdaContext).finally(() => gate.recordEnded())));
    };
    lostAnswers = 2;
    expect((await invocation()).every((r) => r.status === 'rejected')).toBe(true); // every record is retried
    expect((await invocation()).every((r) => r.status === 'fulfilled' && r.value.published && r.value.snsAttempts === 1)).toBe(true);

    const received = (await drainExpecting(aws.clients().sqs, resources.outcomeQueue.url, 30)).map((m) => readOutcomeMessage(m.body));
    const perJob = new Map<string, string[]>();
    for (const o of received) perJob.set(jobKey(o.job), [...(perJob.get(jobKey(o.job)) ?? []), o.notificationId]);
    // Two SDK attempts, then the record's retry: three copies, one notificationId.
    expect([...perJob.values()].map((copies) => [copies.length, new Set(copies).size])).toEqual(ids.map(() => [3, 1]));
  });
});

describe('warnIfPublishRetried', () => {
  const warnings = (sent: Parameters<typeof warnIfPublishRetried>[0]) => {
    const lines: [string, Record<string, unknown> | undefined][] = [];
    warnIfPublishRetried(sent, outcome({ job: { id: 1 } }), { info: () => undefined, error: () => undefined, warn: (m, e) => lines.push([m, e]) });
    return lines;
  };

  it('warns, naming the notificationId, when SNS took the outcome on a retried request', () => {
    const [line] = warnings({ published: true, messageId: 'm', snsAttempts: 2 });
    expect(line?.[0]).toContain('subscribers may receive it twice');
    expect(line?.[1]).toMatchObject({ snsAttempts: 2, notificationId: outcome({ job: { id: 1 } }).notificationId });
  });

  it('says nothing for a first-attempt publish, or for an outcome another chain published', () => {
    expect(warnings({ published: true, messageId: 'm', snsAttempts: 1 })).toEqual([]);
    expect(warnings({ published: false, messageId: 'm', snsAttempts: 3 })).toEqual([]);
  });
});
