import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAlationClient } from '../alation/client';
import type { JobWatchConfig } from '../config';
import { DEFAULT_GROWTH, DEFAULT_JITTER } from '../watch/backoff';
import type { BatchHandlerOptions } from '../watch/batch-handler';
import { deferredKindDurationStore } from './deferred-kind-duration-store';
import { deferredChainStore } from './deferred-chain-store';
import { deferredOutcomePublisher } from './deferred-outcome-publisher';
import { createBatchingJobQueue, createSqsJobQueue } from './job-queue';
import { recordTimeReserves, type TimeReserves } from '../watch/time-budget';
import { DEFAULT_MAX_WAIT_MS } from './invocation-gate';
import { AWS_CALL_WORST_MS, awsClientConfig } from './client-timeouts';
import { createLogger, createMetrics, powertoolsWatchMetrics, recordLogger } from './observability';
import { secretsManagerTokenProvider } from './secrets-manager-tokens';
import { createWatchStateKeys, secretsManagerKeyReader } from './watch-state-keys';

/**
 * The AWS SDK clients, for callers that bring their own (tests that add faults). Without
 * them each is built from the environment and honours `AWS_ENDPOINT_URL` /
 * `AWS_ENDPOINT_URL_<SERVICE>`: SQS and Secrets Manager at cold start, SNS and DynamoDB
 * with the publish path, on the first outcome (`publish-path.ts`).
 */
export interface AwsClients {
  readonly sqs: SQSClient;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
}

/**
 * The function's record time reserves: its worst AWS call, and the longest a re-send or a
 * publish is held at the invocation's batch gate, which an effect's reserve must cover too.
 */
export function functionTimeReserves(alationTimeoutMs: number): TimeReserves {
  return recordTimeReserves({ alationTimeoutMs, awsCallMs: AWS_CALL_WORST_MS, heldMs: DEFAULT_MAX_WAIT_MS });
}

/**
 * Builds everything the handler needs from the validated configuration. Called once per
 * execution environment (cold start), so warm invocations reuse clients, connections,
 * the cached secret and the minted token. The publish path is the exception: it is loaded
 * on the first outcome (`deferredOutcomePublisher`), and kept from then on.
 */
export function createDependencies(config: JobWatchConfig, clients?: AwsClients): BatchHandlerOptions {
  const sqs = clients?.sqs ?? new SQSClient(awsClientConfig());
  const secretsManager = clients?.secretsManager ?? new SecretsManagerClient(awsClientConfig());
  const logger = createLogger();
  const metrics = createMetrics();
  const alation = createAlationClient({ baseUrl: config.alationBaseUrl, timeoutMs: config.alationTimeoutMs });
  const queues = { sqs, jobQueueUrl: config.jobQueueUrl, deadLetterQueueUrl: config.deadLetterQueueUrl };
  return {
    logger,
    metrics,
    concurrency: config.recordConcurrency,
    maxReceiveCount: config.maxReceiveCount,
    reserves: functionTimeReserves(config.alationTimeoutMs),
    recordLogger,
    // Re-sends and DLQ writes of one invocation go out as SendMessageBatch requests (its outcomes as PublishBatch).
    invocationJobQueue: (gate) => createBatchingJobQueue({ ...queues, gate }),
    record: {
      alation,
      tokens: secretsManagerTokenProvider(config.tokenSecretId, secretsManager, alation),
      jobQueue: createSqsJobQueue(queues),
      publisher: deferredOutcomePublisher(async () => {
        const { createPublishPath } = await import('./publish-path');
        return createPublishPath({
          sns: clients?.sns,
          dynamodb: clients?.dynamodb,
          topicArn: config.outcomeTopicArn,
          tableName: config.idempotencyTableName,
          // The deadline, the DLQ's 14-day retention (a forked chain can be redriven from it) and a day to spare.
          recordTtlSeconds: config.poll.maxWatchSeconds + 15 * 24 * 3600,
        });
      }),
      policy: { ...config.poll, growth: DEFAULT_GROWTH, jitter: DEFAULT_JITTER },
      durations: durationStore(config, clients),
      watchStateKeys: createWatchStateKeys({ secretId: config.watchStateKeySecretId, reader: secretsManagerKeyReader(secretsManager) }),
      now: () => new Date(),
      random: Math.random,
      metrics: powertoolsWatchMetrics(metrics),
      extraFinalStatuses: config.extraFinalStatuses,
      followUps: {
        options: config.followUps,
        // Loaded on the first job in a chain; chains live in the idempotency table (chain-store.ts).
        chains: deferredChainStore(async () => {
          const { createDynamoDbChainStore } = await import('./chain-store');
          return createDynamoDbChainStore({
            dynamodb: clients?.dynamodb,
            tableName: config.idempotencyTableName,
            // A chain can last a watch per level, plus the DLQ's 14 days and a day to spare.
            ttlSeconds: (config.followUps.maxDepth + 1) * config.poll.maxWatchSeconds + 15 * 24 * 3600,
          });
        }),
      },
    },
  };
}

/** The learned-durations store, loaded on the first job with a kind; none when learning is off. */
function durationStore(config: JobWatchConfig, clients: AwsClients | undefined) {
  const tableName = config.durationStatsTableName;
  if (tableName === null) return undefined;
  return deferredKindDurationStore(async () => {
    const { createDynamoDbKindDurationStore } = await import('./kind-duration-store');
    return createDynamoDbKindDurationStore({ dynamodb: clients?.dynamodb, tableName });
  });
}
