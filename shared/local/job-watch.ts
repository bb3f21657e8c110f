import type { SQSBatchResponse, SQSEvent, Context } from 'aws-lambda';
import { createDependencies } from '../aws/dependencies';
import { loadConfig, type JobWatchConfig } from '../config';
import { createBatchHandler } from '../watch/batch-handler';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws, type SubscriberQueueOptions } from './aws';
import { startEventSourceMapping, type EventSourceMapping } from './esm-runner';

/** The job-status handler's shape, as Lambda calls it. */
export type JobStatusHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface LocalJobWatchOptions {
  /** Alation to watch: the simulator's URL, or a real one. */
  readonly alationBaseUrl: string;
  /** What the token secret holds: an access token, `{ token }` or `{ refreshToken, userId }`. */
  readonly tokenSecretValue: string | Record<string, unknown>;
  /** The watch-state key; random unless a test needs to know it. */
  readonly watchStateKey?: string;
  /** Tunables, as the function's environment spells them (`POLL_MAX_DELAY_SECONDS`, …). */
  readonly tunables?: Readonly<Record<string, string>>;
  /** Extra subscriber queues on the outcome topic, e.g. a filter on `status`. */
  readonly subscribers?: readonly SubscriberQueueOptions[];
  /**
   * The handler to run, given the function's environment. Defaults to one built exactly as
   * `functions/job-status/handler.ts` builds it, from that environment.
   */
  readonly handler?: (functionEnv: Readonly<Record<string, string>>) => JobStatusHandler | Promise<JobStatusHandler>;
  readonly batchSize?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly functionTimeoutMs?: number;
  /** Fixed ports for the AWS stand-ins. @default ephemeral */
  readonly ports?: { readonly sqsSns?: number; readonly dynamodb?: number; readonly secretsManager?: number };
}

export interface LocalJobWatch {
  readonly aws: LocalAws;
  readonly resources: JobWatchResources;
  readonly config: JobWatchConfig;
  readonly mapping: EventSourceMapping;
  /** The function's environment, as the CDK stack would set it. */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The whole watcher in one process, on loopback: AWS stand-ins provisioned as the CDK stack
 * provisions AWS, the job-status handler, and an event source mapping feeding it from the
 * job queue. Used by `npm start`, the integration tests and the benchmarks.
 *
 * It sets the AWS endpoint variables on `process.env` (the handler's SDK clients read them)
 * and restores them on {@link LocalJobWatch.stop}.
 */
export async function startLocalJobWatch(options: LocalJobWatchOptions): Promise<LocalJobWatch> {
  const aws = await startLocalAws({ ports: options.ports });
  const restoreEnv = aws.applyEnv();
  try {
    const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
    const resources = await provisionJobWatch(aws, {
      tokenSecretValue: options.tokenSecretValue,
      visibilityTimeoutSeconds,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      subscribers: options.subscribers ?? [],
      ...(options.watchStateKey !== undefined && { watchStateKey: options.watchStateKey }),
    });
    const functionEnv = {
      ALATION_BASE_URL: options.alationBaseUrl,
      ALATION_TOKEN_SECRET_ID: resources.tokenSecret.arn,
      WATCH_STATE_KEY_SECRET_ID: resources.watchStateKeySecret.arn,
      JOB_QUEUE_URL: resources.jobQueue.url,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueue.url,
      OUTCOME_TOPIC_ARN: resources.outcomeTopic.arn,
      IDEMPOTENCY_TABLE_NAME: resources.idempotencyTable.name,
      ...options.tunables,
    };
    const config = loadConfig(functionEnv);
    const handler = options.handler ? await options.handler(functionEnv) : createBatchHandler(createDependencies(config));
    const mapping = startEventSourceMapping({
      sqs: aws.clients().sqs,
      queueUrl: resources.jobQueue.url,
      queueArn: resources.jobQueue.arn,
      handler,
      batchSize: options.batchSize ?? 10,
      visibilityTimeoutSeconds,
      functionTimeoutMs: options.functionTimeoutMs ?? Math.min(visibilityTimeoutSeconds * 1000, 60_000),
      waitTimeSeconds: 1,
      functionName: 'alation-job-watch-local',
    });
    return {
      aws,
      resources,
      config,
      mapping,
      functionEnv,
      async stop() {
        await mapping.stop();
        await aws.stop();
        restoreEnv();
      },
    };
  } catch (error) {
    await aws.stop();
    restoreEnv();
    throw error;
  }
}
