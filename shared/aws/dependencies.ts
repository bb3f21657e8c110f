import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAlationClient } from '../alation/client';
import type { JobWatchConfig } from '../config';
import { DEFAULT_GROWTH, DEFAULT_JITTER } from '../watch/backoff';
import type { BatchHandlerOptions } from '../watch/batch-handler';
import { createSqsJobQueue } from './job-queue';
import { createLogger, createMetrics, powertoolsWatchMetrics, recordLogger } from './observability';
import { createSnsOutcomePublisher } from './outcome-publisher';
import { secretsManagerTokenProvider } from './secrets-manager-tokens';

/** The AWS SDK clients; each honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`. */
export interface AwsClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
}

export function createAwsClients(): AwsClients {
  return {
    sqs: new SQSClient({}),
    sns: new SNSClient({}),
    dynamodb: new DynamoDBClient({}),
    secretsManager: new SecretsManagerClient({}),
  };
}

/**
 * Builds everything the handler needs from the validated configuration. Called once per
 * execution environment (cold start), so warm invocations reuse clients, connections,
 * the cached secret and the minted token.
 */
export function createDependencies(config: JobWatchConfig, clients: AwsClients = createAwsClients()): BatchHandlerOptions {
  const logger = createLogger();
  const metrics = createMetrics();
  const alation = createAlationClient({ baseUrl: config.alationBaseUrl, timeoutMs: config.alationTimeoutMs });
  return {
    logger,
    metrics,
    concurrency: config.recordConcurrency,
    minRemainingMsPerRecord: config.alationTimeoutMs + 1000,
    record: {
      alation,
      tokens: secretsManagerTokenProvider(config.tokenSecretId, clients.secretsManager, alation),
      jobQueue: createSqsJobQueue({
        sqs: clients.sqs,
        jobQueueUrl: config.jobQueueUrl,
        deadLetterQueueUrl: config.deadLetterQueueUrl,
      }),
      publisher: createSnsOutcomePublisher({
        sns: clients.sns,
        topicArn: config.outcomeTopicArn,
        dynamodb: clients.dynamodb,
        tableName: config.idempotencyTableName,
        // The deadline, the DLQ's 14-day retention (a forked chain can be redriven from it) and a day to spare.
        recordTtlSeconds: config.poll.maxWatchSeconds + 15 * 24 * 3600,
      }),
      policy: { ...config.poll, growth: DEFAULT_GROWTH, jitter: DEFAULT_JITTER },
      now: () => new Date(),
      random: Math.random,
      metrics: powertoolsWatchMetrics(metrics),
      forRecord: recordLogger(logger),
    },
  };
}
