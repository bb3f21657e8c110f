import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../shared/local/aws/local-aws';
import { provisionJobWatch, type JobWatchResources } from '../../shared/local/aws/provision';
import { createLambdaContext } from '../../shared/local/esm-runner/lambda-context';

let aws: LocalAws;
let res: JobWatchResources;

/** Receives what is there now (no long poll), with attributes; `visibilityTimeout: 0` leaves it visible. */
async function receive(queueUrl: string, options: { visibilityTimeout?: number } = {}): Promise<Message[]> {
  const { Messages } = await aws.clients().sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
    }),
  );
  return Messages ?? [];
}

const publishOutcome = (status: string, body: string) =>
  aws.clients().sns.send(
    new PublishCommand({
      TopicArn: res.outcomeTopic.arn,
      Message: body,
      MessageAttributes: { status: { DataType: 'String', StringValue: status } },
    }),
  );

beforeAll(async () => {
  aws = await startLocalAws();
  res = await provisionJobWatch(aws, {
    prefix: 'prov',
    tokenSecretValue: 'alation-token-1',
    maxReceiveCount: 2,
    subscribers: [{ name: 'failures', filterPolicy: { status: ['failed'] } }],
  });
});

afterAll(async () => {
  await aws.stop();
});

describe('provisionJobWatch', () => {
  it('creates the job queue with the CDK defaults: 30 s visibility, redrive to the DLQ after 5 receives', async () => {
    const defaults = await provisionJobWatch(aws, { prefix: 'defaults', tokenSecretValue: 'x' });

    const { Attributes: job } = await aws.clients().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: defaults.jobQueue.url, AttributeNames: ['All'] }),
    );
    const { Attributes: dlq } = await aws.clients().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: defaults.deadLetterQueue.url, AttributeNames: ['All'] }),
    );

    expect(job?.VisibilityTimeout).toBe('30');
    expect(JSON.parse(job?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: defaults.deadLetterQueue.arn, maxReceiveCount: 5 });
    expect(dlq?.MessageRetentionPeriod).toBe('1209600');
    expect(defaults).toMatchObject({
      jobQueue: { name: 'defaults-jobs', arn: 'arn:aws:sqs:us-east-1:000000000000:defaults-jobs', maxReceiveCount: 5 },
      deadLetterQueue: { name: 'defaults-dlq' },
      outcomeTopic: { name: 'defaults-outcomes', arn: 'arn:aws:sns:us-east-1:000000000000:defaults-outcomes' },
      idempotencyTable: { name: 'defaults-idempotency' },
      tokenSecret: { name: 'defaults/alation-token' },
    });
  });

  it('gives a job queue that delivers what is sent to it', async () => {
    await aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: res.jobQueue.url, MessageBody: '{"jobId":1}' }));

    const messages = await receive(res.jobQueue.url);

    expect(messages.map((m) => m.Body)).toEqual(['{"jobId":1}']);
  });

  it('delivers outcomes to the outcome queue raw, with their message attributes', async () => {
    await publishOutcome('succeeded', '{"jobId":2,"status":"succeeded"}');

    const [message, ...rest] = await receive(res.outcomeQueue.url);

    expect(rest).toEqual([]);
    expect(message?.Body).toBe('{"jobId":2,"status":"succeeded"}');
    expect(message?.MessageAttributes?.['status']).toEqual({ DataType: 'String', StringValue: 'succeeded' });
  });

  it('delivers to a filtered subscriber only the outcomes whose status matches', async () => {
    await publishOutcome('succeeded', 'ok-outcome');
    await publishOutcome('failed', 'failed-outcome');

    const filtered = await receive(res.subscribers['failures']!.url);
    const all = await receive(res.outcomeQueue.url);

    expect(filtered.map((m) => m.Body)).toEqual(['failed-outcome']);
    expect(all.map((m) => m.Body)).toEqual(['ok-outcome', 'failed-outcome']);
    expect(res.subscribers['failures']?.filterPolicy).toEqual({ status: ['failed'] });
  });

  it('moves a message to the DLQ once it was received more than maxReceiveCount times', async () => {
    await aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: res.jobQueue.url, MessageBody: 'poison' }));

    const first = await receive(res.jobQueue.url, { visibilityTimeout: 0 });
    const second = await receive(res.jobQueue.url, { visibilityTimeout: 0 });
    const third = await receive(res.jobQueue.url, { visibilityTimeout: 0 });
    const dead = await receive(res.deadLetterQueue.url);

    expect(first.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['1']);
    expect(second.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2']);
    expect(third).toEqual([]);
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
  });

  it('creates the idempotency table in the Powertools default layout, on demand', async () => {
    const { Table } = await aws.clients().dynamodb.send(new DescribeTableCommand({ TableName: res.idempotencyTable.name }));

    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.TableArn).toBe(res.idempotencyTable.arn);
    // dynalite has no UpdateTimeToLive: the attribute is named, but not enabled locally.
    expect(res.idempotencyTable).toMatchObject({ partitionKey: 'id', ttlAttribute: 'expiration', ttlEnabled: false });
  });

  it('gives a table Powertools idempotency can use as is', async () => {
    let calls = 0;
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName: res.idempotencyTable.name,
      awsSdkV3Client: aws.clients().dynamodb,
    });
    const config = new IdempotencyConfig({});
    config.registerLambdaContext(createLambdaContext({ functionName: 'job-status', timeoutMs: 30_000, region: 'us-east-1' }));
    const publishOnce = makeIdempotent(async (job: { jobId: number }) => ({ published: job.jobId, call: ++calls }), {
      persistenceStore,
      config,
    });

    const first = await publishOnce({ jobId: 7 });
    const second = await publishOnce({ jobId: 7 });
    const { Items } = await aws.clients().dynamodb.send(new ScanCommand({ TableName: res.idempotencyTable.name }));

    expect(first).toEqual({ published: 7, call: 1 });
    expect(second).toEqual(first);
    expect(calls).toBe(1);
    expect(Items?.[0]?.['expiration']?.N).toMatch(/^\d+$/);
  });

  it('stores the token secret, and an object as JSON', async () => {
    const json = await provisionJobWatch(aws, { prefix: 'json', tokenSecretValue: { token: 'abc' } });
    const sm = aws.clients().secretsManager;

    const plain = await sm.send(new GetSecretValueCommand({ SecretId: res.tokenSecret.arn }));
    const structured = await sm.send(new GetSecretValueCommand({ SecretId: json.tokenSecret.name }));

    expect(plain).toMatchObject({ Name: 'prov/alation-token', SecretString: 'alation-token-1', VersionId: res.tokenSecret.versionId });
    expect(JSON.parse(structured.SecretString ?? '')).toEqual({ token: 'abc' });
  });

  it('names the resource that could not be created, with the AWS reason', async () => {
    // Like SQS, fauxqs refuses to re-create a queue with different attributes (maxReceiveCount 5 vs 2).
    const error = await provisionJobWatch(aws, { prefix: 'prov', tokenSecretValue: 'again' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ProvisionError', resource: 'queue prov-jobs' });
    expect((error as Error).message).toMatch(/^could not provision queue prov-jobs: .*RedrivePolicy/);
  });
});
