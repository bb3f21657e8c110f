import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ProvisionError } from './errors';
import type { LocalAws } from './local-aws';

/** Limits and defaults the CDK stack uses too; local values differ only where noted. */
export const JobWatchDefaults = {
  /** Local default; the stack derives it from the function timeout (≥ 6×, AWS's advice). */
  visibilityTimeoutSeconds: 30,
  /** AWS advises ≥ 5 so throttled receives do not push messages to the DLQ. */
  maxReceiveCount: 5,
  /** 14 days, the SQS maximum: time to inspect and redrive failures. */
  dlqRetentionSeconds: 1_209_600,
  /** Powertools idempotency's default table layout. */
  idempotencyPartitionKey: 'id',
  idempotencyTtlAttribute: 'expiration',
} as const;

/** An SQS queue as the code under test needs it. */
export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** A queue subscribed to the outcome topic. */
export interface SubscribedQueueRef extends QueueRef {
  readonly subscriptionArn: string;
  readonly filterPolicy?: Record<string, unknown>;
}

/** An extra queue subscribed to the outcome topic, e.g. one that only wants failures. */
export interface SubscriberQueueOptions {
  /** Queue name (without the prefix). */
  readonly name: string;
  /**
   * SNS filter policy on message attributes.
   * @example { status: ['failed'] }
   */
  readonly filterPolicy?: Record<string, unknown>;
  /** @default true (the body is the published message, not the SNS envelope) */
  readonly rawMessageDelivery?: boolean;
}

/** Options of {@link provisionJobWatch}. */
export interface ProvisionJobWatchOptions {
  /** The Alation token: a plain string, or an object stored as JSON. */
  readonly tokenSecretValue: string | Record<string, unknown>;
  /**
   * Prefix of every resource name, so several test files can share one local AWS.
   * @default 'job-watch'
   */
  readonly prefix?: string;
  /** @default 30 (JobWatchDefaults.visibilityTimeoutSeconds); use 1–2 s to watch redelivery in tests. */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before SQS moves a message to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default `${prefix}/alation-token` */
  readonly tokenSecretName?: string;
  /** @default `${prefix}/watch-state-key` */
  readonly watchStateKeySecretName?: string;
  /**
   * The key that seals the watch state. Like the stack, a random one by default; a test that
   * needs to forge a sealed body (as an attacker who stole the key would) passes its own.
   * @default 48 random bytes, base64url
   */
  readonly watchStateKey?: string;
  /** Queues subscribed to the outcome topic besides the outcome queue. @default [] */
  readonly subscribers?: readonly SubscriberQueueOptions[];
}

/** What {@link provisionJobWatch} created. */
export interface JobWatchResources {
  readonly jobQueue: QueueRef & { readonly visibilityTimeoutSeconds: number; readonly maxReceiveCount: number };
  readonly deadLetterQueue: QueueRef;
  readonly outcomeTopic: { readonly name: string; readonly arn: string };
  /** Subscribed with raw message delivery and no filter: receives every outcome. */
  readonly outcomeQueue: SubscribedQueueRef;
  /** The extra subscribers, by the name given in the options. */
  readonly subscribers: Readonly<Record<string, SubscribedQueueRef>>;
  readonly idempotencyTable: {
    readonly name: string;
    readonly arn: string;
    readonly partitionKey: string;
    readonly ttlAttribute: string;
    /** false on dynalite, which has no UpdateTimeToLive (and never expires items). */
    readonly ttlEnabled: boolean;
  };
  readonly tokenSecret: { readonly name: string; readonly arn: string; readonly versionId: string };
  /** The key that seals the watch state (`WATCH_STATE_KEY_SECRET_ID`); its value is not returned. */
  readonly watchStateKeySecret: { readonly name: string; readonly arn: string; readonly versionId: string };
}

async function step<T>(resource: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new ProvisionError(resource, { cause: error });
  }
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<QueueRef> {
  return step(`queue ${name}`, async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const arn = Attributes?.QueueArn;
    if (!arn) throw new Error('GetQueueAttributes returned no QueueArn');
    return { name, url: QueueUrl, arn };
  });
}

async function subscribeQueue(
  sns: SNSClient,
  topicArn: string,
  queue: QueueRef,
  options: { rawMessageDelivery: boolean; filterPolicy?: Record<string, unknown> },
): Promise<SubscribedQueueRef> {
  return step(`subscription of ${queue.name}`, async () => {
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        ReturnSubscriptionArn: true,
        Attributes: {
          RawMessageDelivery: String(options.rawMessageDelivery),
          ...(options.filterPolicy
            ? { FilterPolicy: JSON.stringify(options.filterPolicy), FilterPolicyScope: 'MessageAttributes' }
            : {}),
        },
      }),
    );
    if (!SubscriptionArn) throw new Error('Subscribe returned no SubscriptionArn');
    return { ...queue, subscriptionArn: SubscriptionArn, ...(options.filterPolicy ? { filterPolicy: options.filterPolicy } : {}) };
  });
}

async function createIdempotencyTable(dynamodb: DynamoDBClient, name: string): Promise<JobWatchResources['idempotencyTable']> {
  const { idempotencyPartitionKey: partitionKey, idempotencyTtlAttribute: ttlAttribute } = JobWatchDefaults;
  const arn = await step(`table ${name}`, async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      }),
    );
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return Table?.TableArn ?? '';
  });
  const ttlEnabled = await step(`TTL of table ${name}`, async () => {
    try {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
      );
      return true;
    } catch (error) {
      // dynalite 4 does not implement UpdateTimeToLive; records then simply never expire locally.
      if (error instanceof Error && error.name === 'UnknownOperationException') return false;
      throw error;
    }
  });
  return { name, arn, partitionKey, ttlAttribute, ttlEnabled };
}

/**
 * Creates in the local AWS what the CDK stack creates in AWS, and returns their names, URLs and ARNs:
 * the job queue with a redrive policy to the DLQ, the DLQ, the outcome topic, an outcome queue
 * subscribed with raw delivery, optional filtered subscriber queues, the idempotency table, the
 * Alation token secret and the (random) key that seals the watch state.
 *
 * @example
 * const res = await provisionJobWatch(aws, { tokenSecretValue: 'token', visibilityTimeoutSeconds: 1 });
 */
export async function provisionJobWatch(localAws: LocalAws, options: ProvisionJobWatchOptions): Promise<JobWatchResources> {
  const { sqs, sns, dynamodb, secretsManager } = localAws.clients();
  const prefix = options.prefix ?? 'job-watch';
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? JobWatchDefaults.visibilityTimeoutSeconds;
  const maxReceiveCount = options.maxReceiveCount ?? JobWatchDefaults.maxReceiveCount;

  const deadLetterQueue = await createQueue(sqs, `${prefix}-dlq`, {
    MessageRetentionPeriod: String(JobWatchDefaults.dlqRetentionSeconds),
  });
  const jobQueue = await createQueue(sqs, `${prefix}-jobs`, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount }),
  });

  const topicName = `${prefix}-outcomes`;
  const topicArn = await step(`topic ${topicName}`, async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
    if (!TopicArn) throw new Error('CreateTopic returned no TopicArn');
    return TopicArn;
  });

  const outcomeQueue = await subscribeQueue(sns, topicArn, await createQueue(sqs, `${prefix}-outcomes`, {}), {
    rawMessageDelivery: true,
  });
  const subscribers: Record<string, SubscribedQueueRef> = {};
  for (const subscriber of options.subscribers ?? []) {
    const queue = await createQueue(sqs, `${prefix}-${subscriber.name}`, {});
    subscribers[subscriber.name] = await subscribeQueue(sns, topicArn, queue, {
      rawMessageDelivery: subscriber.rawMessageDelivery ?? true,
      ...(subscriber.filterPolicy ? { filterPolicy: subscriber.filterPolicy } : {}),
    });
  }

  const idempotencyTable = await createIdempotencyTable(dynamodb, `${prefix}-idempotency`);

  const createSecret = (name: string, value: string) =>
    step(`secret ${name}`, async () => {
      const created = await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      if (!created.ARN || !created.VersionId) throw new Error('CreateSecret returned no ARN or VersionId');
      return { name, arn: created.ARN, versionId: created.VersionId };
    });
  const value = options.tokenSecretValue;
  const tokenSecret = await createSecret(
    options.tokenSecretName ?? `${prefix}/alation-token`,
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  const watchStateKeySecret = await createSecret(
    options.watchStateKeySecretName ?? `${prefix}/watch-state-key`,
    options.watchStateKey ?? randomBytes(48).toString('base64url'),
  );

  return {
    jobQueue: { ...jobQueue, visibilityTimeoutSeconds, maxReceiveCount },
    deadLetterQueue,
    outcomeTopic: { name: topicName, arn: topicArn },
    outcomeQueue,
    subscribers,
    idempotencyTable,
    tokenSecret,
    watchStateKeySecret,
  };
}
