import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayAwareFilterPolicy, subscriberKey } from '../../infra/subscriptions';
import { deadLetterOf, replayCommand } from '../../shared/cli/replay';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { runCommand, stackWithOutputs } from './operator-helpers';

// Two subscriptions made as the construct makes them (a filter policy that admits normal
// outcomes or replays addressed to it), SQS queues standing in for the email and the webhook,
// each with its own dead-letter queue. fauxqs evaluates the filter policies.
const KEY_A = subscriberKey('https', 'https://hooks.example.com/a');
const KEY_B = subscriberKey('email', 'oncall@example.com');

let aws: LocalAws;
let resources: JobWatchResources;
const dlq: Record<'a' | 'b', string> = { a: '', b: '' };

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, {
    tokenSecretValue: 'token',
    prefix: 'replay',
    subscribers: [
      { name: 'hook-a', filterPolicy: replayAwareFilterPolicy(undefined, KEY_A) },
      { name: 'mail-b', filterPolicy: replayAwareFilterPolicy({ statuses: ['failed'] }, KEY_B) },
    ],
  });
  for (const name of ['a', 'b'] as const) {
    const { QueueUrl } = await aws.clients().sqs.send(new CreateQueueCommand({ QueueName: `replay-sub-dlq-${name}` }));
    dlq[name] = QueueUrl!;
  }
});
afterAll(() => aws?.stop());

const attr = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

async function deadLetter(queueUrl: string, body: string, attributes: Record<string, MessageAttributeValue> = { status: attr('failed'), kind: attr('metadata_upload') }) {
  await aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }));
}

async function drain(queueUrl: string): Promise<{ body: string; replayTo?: string; status?: string }[]> {
  const { Messages = [] } = await aws.clients().sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300, MessageAttributeNames: ['All'] }),
  );
  return Messages.map((m) => ({ body: m.Body ?? '', replayTo: m.MessageAttributes?.replayTo?.StringValue, status: m.MessageAttributes?.status?.StringValue }));
}

/** Messages on a queue, visible or not. */
async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await aws.clients().sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

function replay(args: string[]) {
  const clients = aws.clients();
  return runCommand(
    (io, set) => replayCommand({ ...io, sqs: () => clients.sqs, sns: () => clients.sns, dynamodb: () => clients.dynamodb, cloudFormation: () => stackWithOutputs({}) }, set),
    args,
  );
}

const direct = (target: string, dlqUrl: string, topicArn = resources.outcomeTopic.arn) => [
  '--dlq-url', dlqUrl, '--target', target, '--topic-arn', topicArn, '--table', resources.idempotencyTable.name, '--json',
];

async function ledgerRecord(messageId: string, dlqUrl: string, state: string) {
  await aws.clients().dynamodb.send(
    new PutItemCommand({ TableName: resources.idempotencyTable.name, Item: { id: { S: `replay#${dlqUrl}#${messageId}` }, state: { S: state }, expiration: { N: '4102444800' } } }),
  );
}

describe('alation-job-watch replay', () => {
  it('republishes a dead letter to its own subscription only, with its attributes, then deletes it', async () => {
    await deadLetter(dlq.b, '{"jobId":"1","status":"failed"}');

    const run = await replay(direct(KEY_B, dlq.b));

    expect(run.code).toBe(0);
    expect(JSON.parse(run.out).sources).toEqual([{ target: KEY_B, dlqUrl: dlq.b, replayed: 1, alreadyReplayed: 0, inDoubt: [], failed: 0 }]);
    expect(await drain(resources.subscribers['mail-b']!.url)).toEqual([{ body: '{"jobId":"1","status":"failed"}', replayTo: KEY_B, status: 'failed' }]);
    // hook-a takes every normal outcome, and still gets no replay meant for mail-b.
    expect(await drain(resources.subscribers['hook-a']!.url)).toEqual([]);
    expect(await drain(dlq.b)).toEqual([]);
    // The claim stays, marked replayed, until after the DLQ could still hold the message (15 days).
    const { Items = [] } = await aws.clients().dynamodb.send(new ScanCommand({ TableName: resources.idempotencyTable.name }));
    const claims = Items.filter((i) => i.id?.S?.startsWith(`replay#${dlq.b}#`));
    expect(claims.map((i) => [i.state?.S, i.target?.S])).toEqual([['replayed', KEY_B]]);
    expect(Number(claims[0]?.expiration?.N) - Date.now() / 1000).toBeGreaterThan(14 * 86_400);
    // A subscription made outside the construct, with no replayTo in its filter, receives replays too.
    expect(await drain(resources.outcomeQueue.url)).toHaveLength(1);
  });

  it('unwraps a dead letter that is an SNS envelope, keeping its subject and attributes', () => {
    const envelope = JSON.stringify({ Type: 'Notification', Message: '{"jobId":"2"}', Subject: 'Job 2 failed', MessageAttributes: { status: { Type: 'String', Value: 'failed' } } });

    expect(deadLetterOf({ Body: envelope })).toEqual({ message: '{"jobId":"2"}', subject: 'Job 2 failed', attributes: { status: { DataType: 'String', StringValue: 'failed' } } });
  });

  it('never replays a message twice: one an earlier run published is only deleted, one left in doubt is kept and reported', async () => {
    await deadLetter(dlq.a, 'published before the crash');
    await deadLetter(dlq.a, 'crashed while publishing');
    const { Messages = [] } = await aws.clients().sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.a, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1 }));
    const idOf = (body: string) => Messages.find((m) => m.Body === body)!.MessageId!;
    await ledgerRecord(idOf('published before the crash'), dlq.a, 'replayed');
    await ledgerRecord(idOf('crashed while publishing'), dlq.a, 'replaying');
    await new Promise((r) => setTimeout(r, 1500));

    const run = await replay(direct(KEY_A, dlq.a));

    expect(run.code).toBe(1);
    expect(JSON.parse(run.out).sources).toEqual([
      { target: KEY_A, dlqUrl: dlq.a, replayed: 0, alreadyReplayed: 1, inDoubt: [idOf('crashed while publishing')], failed: 0 },
    ]);
    expect(await drain(resources.subscribers['hook-a']!.url)).toEqual([]);
    expect(await drain(resources.outcomeQueue.url)).toEqual([]);
    // The one in doubt is still on the DLQ (invisible until its receive times out); the other is gone.
    expect(await depth(dlq.a)).toBe(1);
  });

  it('keeps a message whose publish failed and gives its claim back, so a later run replays it', async () => {
    await deadLetter(dlq.b, '{"jobId":"3"}');

    const failed = await replay(direct(KEY_B, dlq.b, `${resources.outcomeTopic.arn}-missing`));
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.out).sources[0]).toMatchObject({ replayed: 0, failed: 1 });
    expect(await drain(resources.subscribers['mail-b']!.url)).toEqual([]);

    expect(await depth(dlq.b)).toBe(1);
    const { Items = [] } = await aws.clients().dynamodb.send(new ScanCommand({ TableName: resources.idempotencyTable.name }));
    expect(Items.filter((i) => i.id?.S?.startsWith(`replay#${dlq.b}#`) && i.state?.S !== 'replayed')).toEqual([]);
  });

  it('reads the topic, the ledger table and every subscription DLQ from the stack outputs', async () => {
    await deadLetter(dlq.a, '{"jobId":"4"}', { status: attr('successful') });
    const clients = aws.clients();
    const outputs = {
      OutcomeTopicArn: resources.outcomeTopic.arn,
      IdempotencyTableName: resources.idempotencyTable.name,
      [`SubscriptionDeadLetterQueue${KEY_A}`]: dlq.a,
      // Outputs that share the prefix without being a DLQ of a target key are not sources.
      [`SubscriptionDeadLetterQueueArn${KEY_A}`]: `arn:aws:sqs:us-east-1:123456789012:replay-sub-dlq-a`,
      SubscriptionDlqNamePrefix: 'replay-sub-dlq-',
    };

    const run = await runCommand(
      (io, set) => replayCommand({ ...io, sqs: () => clients.sqs, sns: () => clients.sns, dynamodb: () => clients.dynamodb, cloudFormation: () => stackWithOutputs(outputs) }, set),
      ['--stack', 'AlationJobWatch', '--target', KEY_A],
    );

    expect(run.out).toBe(`Subscriber ${KEY_A}: replayed 1, already replayed 0, failed 0, in doubt 0\n`);
    expect(await drain(resources.subscribers['hook-a']!.url)).toEqual([{ body: '{"jobId":"4"}', replayTo: KEY_A, status: 'successful' }]);
    expect(await drain(resources.subscribers['mail-b']!.url)).toEqual([]);
  });

  it('explains bad usage', async () => {
    expect((await replay(['--dlq-url', dlq.a])).err).toBe('error: give --stack, or all of --dlq-url, --target, --topic-arn and --table\n');
    expect((await replay(['--stack', 'S', '--target', 'abc'])).err).toBe('error: --target must be 16 hex digits (got "abc")\n');
  });
});
