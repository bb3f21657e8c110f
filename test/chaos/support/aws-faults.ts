/**
 * AWS-side faults for the chaos scenarios: an SDK v3 middleware on the handler's own clients
 * that refuses a share of calls, and "execution environments" that die mid-batch the way a
 * Lambda runtime does (crash, or killed at the function timeout), after which nothing more
 * happens in them and the next invocation gets a fresh cold start.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDependencies } from '../../../shared/aws/dependencies';
import type { JobWatchConfig } from '../../../shared/config';
import { createBatchHandler } from '../../../shared/watch/batch-handler';
import type { JobStatusHandler } from '../../../shared/local/job-watch';
import { recordAwsCalls, type AwsCallSink } from '../../support/aws-calls';
import { refuseBatchEntries } from '../../support/refuse-batch-entries';

/** Which calls fail, as shares in [0, 1]. A refused call never reaches the service. */
export interface AwsFaultPlan {
  /** SNS `Publish` or `PublishBatch` of outcomes, refused as a whole request. */
  readonly publishFailureRate?: number;
  /** Each entry of a `PublishBatch`: refused alone, reported in the answer's `Failed` list while the request's other entries are published, as SNS does. */
  readonly publishEntryFailureRate?: number;
  /** SQS `SendMessage` / `SendMessageBatch` back to the job queue (the re-sends of running jobs), refused as a whole request. */
  readonly requeueFailureRate?: number;
  /**
   * Each entry of a `SendMessageBatch` (re-sends and DLQ writes): refused alone, reported in the
   * answer's `Failed` list while the request's other entries are sent, as SQS does.
   */
  readonly batchEntryFailureRate?: number;
  /** Every call to the idempotency table (`PutItem`, `UpdateItem`, `GetItem`, `DeleteItem`). */
  readonly idempotencyFailureRate?: number;
  /** The `UpdateItem` that marks a publish complete, after SNS took the message (overrides the above). */
  readonly idempotencySaveFailureRate?: number;
  /**
   * Per AWS call, once the invocation has re-sent or published something: the chance that
   * the runtime dies right before that call (any call but the idempotency save, see below). The invocation fails as a whole and its
   * environment is gone.
   */
  readonly crashRate?: number;
  /**
   * The chance that the runtime dies right after an SNS Publish succeeded, before the
   * idempotency record is marked complete (`UpdateItem`): the one window no ordering closes.
   */
  readonly crashBeforeSaveRate?: number;
  /**
   * A crash at an exact point: the runtime dies right after a call for which this returns
   * true went through (the call's effect stays), e.g. after the SendMessage of one follow-up.
   */
  readonly crashAfter?: (call: { readonly command: string; readonly input: Readonly<Record<string, unknown>> }) => boolean;
}

/** What the fault layer saw, across all environments. */
export interface AwsFaultStats {
  /** Successful re-sends to the job queue. */
  requeues: number;
  /** Successful SNS publishes (each entry of a `PublishBatch` counts). */
  publishes: number;
  /** Calls refused, by command. */
  refused: Record<string, number>;
  /** Environments that died mid-invocation. */
  crashes: number;
  /** Environments killed at the function timeout. */
  timeouts: number;
  /** Environments started (cold starts). */
  coldStarts: number;
  /** Every SQS message body the handler sent (re-sends and DLQ), for the token scan. */
  sentBodies: string[];
  /** Every error an invocation threw, as text, for the token scan. */
  invocationErrors: string[];
}

/** Publish requests refused as a whole: single `Publish`es and `PublishBatch`es together. */
export function refusedPublishes(stats: AwsFaultStats): number {
  return (stats.refused.PublishCommand ?? 0) + (stats.refused.PublishBatchCommand ?? 0);
}

export function emptyFaultStats(): AwsFaultStats {
  return { requeues: 0, publishes: 0, refused: {}, crashes: 0, timeouts: 0, coldStarts: 0, sentBodies: [], invocationErrors: [] };
}

/** An error shaped like the SDK's service errors, so retry and logging treat it as real. */
class InjectedFault extends Error {
  readonly $fault = 'server';
  readonly $metadata = { httpStatusCode: 503 };
  constructor(command: string) {
    super(`injected fault: ${command} refused (ServiceUnavailable)`);
    this.name = 'ServiceUnavailable';
  }
}

const IDEMPOTENCY_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'GetItemCommand', 'DeleteItemCommand']);
/** A dead runtime does nothing more: its pending calls never complete. */
const never = () => new Promise<never>(() => undefined);

interface Environment {
  dead: boolean;
  /** Effects (re-sends, publishes) done in the current invocation. */
  effects: number;
  crash?: (error: Error) => void;
}

/** The handler's four clients, built here so the fault middleware can sit on each. */
interface FaultyClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
}

function addFaultMiddleware(clients: FaultyClients, env: Environment, plan: AwsFaultPlan, stats: AwsFaultStats, random: () => number, jobQueueUrl: string) {
  for (const client of Object.values(clients)) {
    (client.middlewareStack as { add: (mw: unknown, options: unknown) => void }).add(
      (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const command = context.commandName ?? 'unknown';
          if (env.dead) return never();
          const isSave = command === 'UpdateItemCommand';
          const crashRate = isSave ? plan.crashBeforeSaveRate : env.effects > 0 ? plan.crashRate : undefined;
          if (crashRate && random() < crashRate) {
            env.dead = true;
            stats.crashes += 1;
            env.crash?.(new Error(`injected crash before ${command}`));
            return never();
          }
          const isSend = command === 'SendMessageCommand' || command === 'SendMessageBatchCommand';
          const isRequeue = isSend && args.input.QueueUrl === jobQueueUrl;
          const rate = isRequeue
            ? plan.requeueFailureRate
            : command === 'PublishCommand' || command === 'PublishBatchCommand'
              ? plan.publishFailureRate
              : isSave && plan.idempotencySaveFailureRate !== undefined
                ? plan.idempotencySaveFailureRate
                : IDEMPOTENCY_COMMANDS.has(command)
                ? plan.idempotencyFailureRate
                : undefined;
          if (rate && random() < rate) {
            stats.refused[command] = (stats.refused[command] ?? 0) + 1;
            throw new InjectedFault(command);
          }
          if (command === 'SendMessageBatchCommand') {
            return sendBatch(args, next, env, stats, random, { command, entries: 'Entries', entryFailureRate: plan.batchEntryFailureRate, crashAfter: plan.crashAfter, counts: isRequeue ? 'requeues' : undefined, keepsBodies: true });
          }
          if (command === 'PublishBatchCommand') {
            return sendBatch(args, next, env, stats, random, { command, entries: 'PublishBatchRequestEntries', entryFailureRate: plan.publishEntryFailureRate, crashAfter: plan.crashAfter, counts: 'publishes', keepsBodies: false });
          }
          const result = await next(args);
          if (env.dead) return never();
          if (plan.crashAfter?.({ command, input: args.input })) {
            env.dead = true;
            stats.crashes += 1;
            env.crash?.(new Error(`injected crash after ${command}`));
            return never();
          }
          if (command === 'SendMessageCommand') stats.sentBodies.push(String(args.input.MessageBody ?? ''), JSON.stringify(args.input.MessageAttributes ?? {}));
          if (isRequeue) {
            stats.requeues += 1;
            env.effects += 1;
          }
          if (command === 'PublishCommand') {
            stats.publishes += 1;
            env.effects += 1;
          }
          return result;
        },
      { step: 'initialize', name: 'chaosFaults' },
    );
  }
}

interface BatchEntry {
  readonly Id?: string;
  readonly MessageBody?: string;
  readonly MessageAttributes?: unknown;
}

/** How one batch command carries its entries, and what its sent entries count as. */
interface BatchShape {
  readonly command: 'SendMessageBatchCommand' | 'PublishBatchCommand';
  /** The input field that holds the entries. */
  readonly entries: 'Entries' | 'PublishBatchRequestEntries';
  readonly entryFailureRate: number | undefined;
  readonly crashAfter: AwsFaultPlan['crashAfter'];
  /** The effect each sent entry is: a re-send, a publish, or neither (a DLQ write). */
  readonly counts: 'requeues' | 'publishes' | undefined;
  /** Whether sent entries go into `sentBodies` (SQS bodies, for the token scan). */
  readonly keepsBodies: boolean;
}

/** A `SendMessageBatch` or `PublishBatch` with some entries refused alone, as SQS and SNS report them (`Failed`, the rest sent). */
async function sendBatch(
  args: { input: Record<string, unknown> },
  next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
  env: Environment,
  stats: AwsFaultStats,
  random: () => number,
  shape: BatchShape,
): Promise<unknown> {
  const refusedKey = shape.command === 'SendMessageBatchCommand' ? 'SendMessageBatchEntry' : 'PublishBatchEntry';
  const refuse = () => {
    const refused = shape.entryFailureRate !== undefined && random() < shape.entryFailureRate;
    if (refused) stats.refused[refusedKey] = (stats.refused[refusedKey] ?? 0) + 1;
    return refused;
  };
  const sendKept = async (kept: { input: Record<string, unknown> }) => {
    const result = (await next(kept)) as { output: { Successful?: { Id?: string }[] } };
    if (env.dead) return never();
    if (shape.crashAfter?.({ command: shape.command, input: args.input })) {
      env.dead = true;
      stats.crashes += 1;
      env.crash?.(new Error(`injected crash after ${shape.command}`));
      return never();
    }
    const succeeded = new Set((result.output.Successful ?? []).map((s) => s.Id));
    for (const entry of (kept.input[shape.entries] ?? []) as BatchEntry[]) {
      if (!succeeded.has(entry.Id)) continue;
      if (shape.keepsBodies) stats.sentBodies.push(String(entry.MessageBody ?? ''), JSON.stringify(entry.MessageAttributes ?? {}));
      if (shape.counts) {
        stats[shape.counts] += 1;
        env.effects += 1;
      }
    }
    return result;
  };
  return refuseBatchEntries(args, sendKept, shape.entries, refuse, 'injected fault: entry refused');
}

export interface EnvironmentHandlerOptions {
  readonly config: JobWatchConfig;
  readonly plan: AwsFaultPlan;
  readonly stats: AwsFaultStats;
  readonly random: () => number;
  /** The mapping's function timeout: the runtime is killed then, as Lambda does. */
  readonly functionTimeoutMs: number;
  /**
   * Lambda Managed Instances do not kill anything at an invocation's timeout: the invocation
   * is reported failed, its code runs on, the environment's other invocations are untouched
   * (Lambda developer guide, "Lambda Managed Instances execution environment").
   * @default true (Lambda default: the runtime is ended)
   */
  readonly killOnTimeout?: boolean;
  /** Records every call the handler's clients make (for the least-privilege check, `test/iam/`). */
  readonly awsCalls?: AwsCallSink;
}

/**
 * The real handler (`createBatchHandler(createDependencies(config, clients))`) in one emulated
 * execution environment at a time: one invocation at a time, a cold start after the previous
 * environment crashed or was killed at the timeout. One per event source mapping, since each
 * concurrent Lambda invocation has an environment of its own.
 */
export function environmentHandler(options: EnvironmentHandlerOptions): JobStatusHandler {
  let env: Environment | undefined;
  let handler: JobStatusHandler | undefined;

  const coldStart = () => {
    const fresh: Environment = { dead: false, effects: 0 };
    const clients: FaultyClients = {
      sqs: new SQSClient({}),
      sns: new SNSClient({}),
      dynamodb: new DynamoDBClient({}),
      secretsManager: new SecretsManagerClient({}),
    };
    addFaultMiddleware(clients, fresh, options.plan, options.stats, options.random, options.config.jobQueueUrl);
    // Ahead of the faults: a call refused by an injected fault was still made, and needs permission.
    if (options.awsCalls) for (const client of Object.values(clients)) recordAwsCalls(client, options.awsCalls);
    options.stats.coldStarts += 1;
    env = fresh;
    handler = createBatchHandler(createDependencies(options.config, clients)) as unknown as JobStatusHandler;
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    if (!env || env.dead) coldStart();
    const current = env!;
    current.effects = 0;
    let timer: NodeJS.Timeout | undefined;
    const died = new Promise<never>((_, reject) => {
      current.crash = reject;
      // Lambda ends the runtime at the timeout; a handler still running there does nothing more.
      timer = setTimeout(() => {
        if (options.killOnTimeout ?? true) current.dead = true;
        options.stats.timeouts += 1;
        reject(new Error('function timed out'));
      }, options.functionTimeoutMs - 20);
    });
    try {
      return await Promise.race([handler!(event, context), died]);
    } catch (error) {
      options.stats.invocationErrors.push(String((error as Error)?.stack ?? error));
      throw error;
    } finally {
      clearTimeout(timer);
      current.crash = undefined;
    }
  };
}
