import { randomUUID } from 'node:crypto';
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
  readonly ports?: { readonly sqsSns?: number; readonly dynamodb?: number; readonly secretsManager?: number; readonly controlPlane?: number };
  /**
   * The name under which the local control plane describes this stack (outputs, resources,
   * function, event source mapping), so `doctor --stack NAME` reads it as it reads a deployed one.
   * @default 'alation-job-watch-local'
   */
  readonly stackName?: string;
}

/** The stack name `npm start` and the tests give the local stack unless told otherwise. */
export const LOCAL_STACK_NAME = 'alation-job-watch-local';
/** The local job-status function's name. */
export const LOCAL_FUNCTION_NAME = 'alation-job-watch-local';

export interface LocalJobWatch {
  readonly aws: LocalAws;
  readonly resources: JobWatchResources;
  readonly config: JobWatchConfig;
  readonly mapping: EventSourceMapping;
  /** The function's environment, as the CDK stack would set it. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /** The name the local control plane knows this stack by. */
  readonly stackName: string;
  /**
   * Stops the event source mapping and marks it Disabled, as disabling it in AWS would:
   * messages then wait on the queue.
   */
  disableMapping(): Promise<void>;
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
      DURATION_STATS_TABLE_NAME: resources.durationTable.name,
      MAX_RECEIVE_COUNT: String(resources.jobQueue.maxReceiveCount),
      ...options.tunables,
    };
    const config = loadConfig(functionEnv);
    const handler = options.handler ? await options.handler(functionEnv) : createBatchHandler(createDependencies(config));
    const batchSize = options.batchSize ?? 10;
    const functionTimeoutMs = options.functionTimeoutMs ?? Math.min(visibilityTimeoutSeconds * 1000, 60_000);
    const mapping = startEventSourceMapping({
      sqs: aws.clients().sqs,
      queueUrl: resources.jobQueue.url,
      queueArn: resources.jobQueue.arn,
      handler,
      batchSize,
      visibilityTimeoutSeconds,
      functionTimeoutMs,
      waitTimeSeconds: 1,
      functionName: LOCAL_FUNCTION_NAME,
      reportBatchItemFailures: true,
    });
    const stackName = options.stackName ?? LOCAL_STACK_NAME;
    const mappingId = randomUUID();
    describeLocalStack(aws, stackName, resources, functionEnv, { batchSize, functionTimeoutMs, mappingId });
    return {
      aws,
      resources,
      config,
      mapping,
      functionEnv,
      stackName,
      async disableMapping() {
        aws.controlPlane.updateMapping(mappingId, { state: 'Disabled' });
        await mapping.stop();
      },
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

/**
 * Tells the local control plane what this stack is, with the same output names as the CDK
 * stack and the event source mapping as the local runner really runs it.
 */
function describeLocalStack(
  aws: LocalAws,
  stackName: string,
  resources: JobWatchResources,
  functionEnv: Readonly<Record<string, string>>,
  run: { batchSize: number; functionTimeoutMs: number; mappingId: string },
): void {
  aws.controlPlane.putStack({
    name: stackName,
    outputs: localStackOutputs(resources),
    resources: [
      { logicalId: 'Function', physicalId: LOCAL_FUNCTION_NAME, type: 'AWS::Lambda::Function' },
      { logicalId: 'JobQueue', physicalId: resources.jobQueue.url, type: 'AWS::SQS::Queue' },
      { logicalId: 'DeadLetterQueue', physicalId: resources.deadLetterQueue.url, type: 'AWS::SQS::Queue' },
      { logicalId: 'OutcomeTopic', physicalId: resources.outcomeTopic.arn, type: 'AWS::SNS::Topic' },
    ],
  });
  aws.controlPlane.putFunction({
    name: LOCAL_FUNCTION_NAME,
    runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
    timeoutSeconds: Math.ceil(run.functionTimeoutMs / 1000),
    memoryMb: 512,
    environment: functionEnv,
  });
  aws.controlPlane.putMapping({
    uuid: run.mappingId,
    functionName: LOCAL_FUNCTION_NAME,
    eventSourceArn: resources.jobQueue.arn,
    state: 'Enabled',
    batchSize: run.batchSize,
    maximumBatchingWindowInSeconds: 0,
    functionResponseTypes: ['ReportBatchItemFailures'],
  });
}

/** The outputs the CDK stack gives these resources, under the same names (what the CLI reads with `--stack`). */
export function localStackOutputs(resources: JobWatchResources): Record<string, string> {
  return {
    JobQueueUrl: resources.jobQueue.url,
    JobQueueArn: resources.jobQueue.arn,
    DeadLetterQueueUrl: resources.deadLetterQueue.url,
    DeadLetterQueueArn: resources.deadLetterQueue.arn,
    OutcomeTopicArn: resources.outcomeTopic.arn,
    TokenSecretArn: resources.tokenSecret.arn,
    IdempotencyTableName: resources.idempotencyTable.name,
  };
}
