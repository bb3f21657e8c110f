/**
 * Regression (found by the issue 12 attacker's review, `replay`): the ledger is meant to make a replay at-most-once per dead
 * letter. A publish that SNS answered with a server error (HTTP 5xx: 500 InternalError, or
 * a 502/503/504 from anything between the operator and SNS) used to be treated as "certainly not
 * published": the claim was released and the message kept, so the next run published it again.
 * A 5xx says nothing about whether SNS took the message; only a 4xx refusal does.
 *
 * Real fauxqs (SQS, SNS with the construct's filter policies) and dynalite. Arranged: an SDK
 * middleware on the first run's SNS client lets its Publish through and then reports HTTP 500
 * instead of the answer (as aws-faults.ts does for the handler), and one on the first run's SQS
 * client shortens its receive's visibility timeout to 1 s, standing in for the 2 minutes before
 * a later run can see the message again.
 */
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayAwareFilterPolicy, subscriberKey } from '../../infra/subscriptions';
import { replayCommand } from '../../shared/cli/replay';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { runCommand, stackWithOutputs } from '../cli/operator-helpers';

const KEY = subscriberKey('https', 'https://hooks.example.com/attack3');

let aws: LocalAws;
let resources: JobWatchResources;
let dlqUrl = '';

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, {
    tokenSecretValue: 'token',
    prefix: 'attack-replay',
    subscribers: [{ name: 'hook', filterPolicy: replayAwareFilterPolicy(undefined, KEY) }],
  });
  ({ QueueUrl: dlqUrl = '' } = await aws.clients().sqs.send(new CreateQueueCommand({ QueueName: 'attack-replay-sub-dlq' })));
});
afterAll(() => aws?.stop());

/** An SNS client to the local endpoint whose Publish goes through but comes back as HTTP 500. */
function snsLosingAnswers(): SNSClient {
  const sns = new SNSClient({ region: aws.region, endpoint: aws.endpoints.sns, credentials: aws.credentials, maxAttempts: 1 });
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'PublishCommand') return result;
      throw new SNSServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'Internal Error' });
    },
    { step: 'deserialize', name: 'loseThePublishAnswer' },
  );
  return sns;
}

/** An SQS client to the local endpoint whose receives hide a message for 1 s instead of 120 s. */
function sqsWithShortVisibility(): SQSClient {
  const sqs = new SQSClient({ region: aws.region, endpoint: aws.endpoints.sqs, credentials: aws.credentials });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ReceiveMessageCommand') (args.input as { VisibilityTimeout?: number }).VisibilityTimeout = 1;
      return next(args);
    },
    { step: 'initialize', name: 'shortVisibility' },
  );
  return sqs;
}

function replay(args: string[], sns: SNSClient = aws.clients().sns, sqs: SQSClient = aws.clients().sqs) {
  const clients = aws.clients();
  return runCommand(
    (io, set) => replayCommand({ ...io, sqs: () => sqs, sns: () => sns, dynamodb: () => clients.dynamodb, cloudFormation: () => stackWithOutputs({}) }, set),
    args,
  );
}

const direct = (queueUrl: string) => ['--dlq-url', queueUrl, '--target', KEY, '--topic-arn', resources.outcomeTopic.arn, '--table', resources.idempotencyTable.name, '--json'];

/** Every copy the subscriber's queue received (receives until one comes back empty). */
async function delivered(): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await aws.clients().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.subscribers.hook!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
  }
}

describe('replay of one dead letter', () => {
  it('does not publish it again after SNS answered its publish with a server error', async () => {
    await aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"jobId":"5xx"}' }));

    const first = await replay(direct(dlqUrl), snsLosingAnswers(), sqsWithShortVisibility());
    expect(first.code).toBe(1); // the operator is told something went wrong either way
    await new Promise((r) => setTimeout(r, 1500)); // the first run's receive has timed out
    const second = await replay(direct(dlqUrl));

    // Before the fix: the first run released the claim (failed: 1), the second published again.
    expect(JSON.parse(second.out).sources[0]).toMatchObject({ replayed: 0 });
    expect(await delivered()).toEqual(['{"jobId":"5xx"}']);
  });
});
