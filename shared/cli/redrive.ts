import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { splitIntoBatches, sqsEntryBytes, SQS_BATCH_LIMITS } from '../aws/sqs-batches';
import { describeError, JobWatchError } from '../errors';
import { safeJson, safeLine } from '../notify/safe-text';
import { ExitCode, usageReporter } from './exit-codes';
import { readStackOutputs, StackOutput, type CloudFormationLike } from './stack-outputs';

/** How the messages were moved. */
export const RedrivePath = {
  /** SQS's own redrive (StartMessageMoveTask), run by SQS. */
  messageMoveTask: 'message-move-task',
  /** Receive from the DLQ, send to the job queue, then delete: for endpoints without move tasks (fauxqs). */
  receiveSendDelete: 'receive-send-delete',
} as const;
export type RedrivePath = (typeof RedrivePath)[keyof typeof RedrivePath];

/** What `redrive --json` prints. */
export interface RedriveReport {
  readonly schema: 'alation.job-redrive/v1';
  readonly path: RedrivePath;
  readonly from: string;
  readonly to: string;
  /**
   * Messages moved: sent to the job queue and deleted from the DLQ (SQS's approximate count
   * on the move-task path).
   */
  readonly moved: number;
  /**
   * Receive/send/delete only: messages that could not be moved, with why. `send`: still on
   * the DLQ only. `delete`: sent to the job queue but still on the DLQ too, so a later redrive
   * sends it again (the watcher publishes once per job; a duplicate message costs a check).
   */
  readonly failed: readonly RedriveFailure[];
  /** Move task only: SQS's handle, to follow with `aws sqs list-message-move-tasks`. */
  readonly taskHandle: string | null;
  /** Move task only: its last status (COMPLETED, RUNNING when `--no-wait`, FAILED, …). */
  readonly taskStatus: string | null;
  /** Why the move-task path was not used, when it was not. */
  readonly fallbackReason: string | null;
}

/** One message that did not move cleanly. */
export interface RedriveFailure {
  /** The DLQ message's id. */
  readonly messageId: string;
  readonly stage: 'send' | 'delete';
  readonly reason: string;
}

/** What `redrive` needs from outside; tests pass local clients. */
export interface RedriveCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly sqs?: () => Pick<SQSClient, 'send'>;
  readonly cloudFormation?: () => CloudFormationLike;
  /** Between ListMessageMoveTasks calls. @default 1000 */
  readonly pollIntervalMs?: number;
}

interface RedriveOptions {
  readonly dlqUrl?: string;
  readonly queueUrl?: string;
  readonly stack?: string;
  readonly maxMessages?: number;
  readonly wait: boolean;
  readonly json?: boolean;
}

/** Error names of an SQS endpoint that has no message move tasks (fauxqs: InvalidAction). */
const UNSUPPORTED = new Set(['InvalidAction', 'UnsupportedOperation', 'UnknownOperationException', 'NotImplemented']);

/** Give up waiting for a move task after this; it keeps running in SQS. */
const MOVE_TASK_WAIT_MS = 5 * 60_000;

/**
 * `alation-job-watch redrive`: moves messages from the DLQ back to the job queue, with SQS's
 * message move task when the endpoint has it, else by receive/send/delete.
 */
export function redriveCommand(deps: RedriveCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('redrive')
    .description('Move messages from the dead-letter queue back to the job queue and report how many moved')
    .option('--dlq-url <url>', 'the dead-letter queue')
    .option('--queue-url <url>', 'the job queue to move them to')
    .addOption(new Option('--stack <name>', 'read both queues from this deployed stack\'s outputs').conflicts(['dlqUrl', 'queueUrl']))
    .option('--max-messages <n>', 'move at most this many (forces receive/send/delete, which can count)', parsePositiveInteger)
    .option('--no-wait', 'start the move task and return without waiting for it to finish')
    .option('--json', 'print exactly one JSON object')
    .addHelpText('after', '\nExit codes: 0 moved (or nothing to move), 2 bad usage, 1 the move failed or some messages did not move (each is listed).')
    .action(async (options: RedriveOptions) => {
      setExitCode(await runRedrive(options, deps));
    });
}

async function runRedrive(options: RedriveOptions, deps: RedriveCommandDeps): Promise<number> {
  const usage = usageReporter(deps.writeError);
  if (options.stack === undefined && (options.dlqUrl === undefined || options.queueUrl === undefined)) {
    return usage('give --stack, or both --dlq-url and --queue-url');
  }
  let from: string;
  let to: string;
  try {
    if (options.stack !== undefined) {
      const outputs = await readStackOutputs(options.stack, [StackOutput.deadLetterQueueUrl, StackOutput.jobQueueUrl], deps.cloudFormation?.());
      from = outputs[StackOutput.deadLetterQueueUrl];
      to = outputs[StackOutput.jobQueueUrl];
    } else {
      from = options.dlqUrl!;
      to = options.queueUrl!;
    }
  } catch (error) {
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  }

  const sqs = deps.sqs?.() ?? new SQSClient({});
  try {
    const report = await redrive(sqs, { from, to, maxMessages: options.maxMessages, wait: options.wait, pollIntervalMs: deps.pollIntervalMs ?? 1000 });
    deps.write(options.json ? `${safeJson(report)}\n` : describe(report));
    return report.taskStatus === 'FAILED' || report.failed.length > 0 ? ExitCode.unexpected : ExitCode.successful;
  } finally {
    if (!deps.sqs && sqs instanceof SQSClient) sqs.destroy();
  }
}

/**
 * Moves DLQ messages to the job queue. Tries StartMessageMoveTask first (SQS moves them,
 * keeping attributes, at its own pace); an endpoint that does not know the action gets the
 * receive/send/delete loop, which sends before it deletes so a crash duplicates rather than loses.
 */
export async function redrive(
  sqs: Pick<SQSClient, 'send'>,
  options: { from: string; to: string; maxMessages?: number | undefined; wait: boolean; pollIntervalMs: number },
): Promise<RedriveReport> {
  const base = { schema: 'alation.job-redrive/v1', from: options.from, to: options.to } as const;
  let fallbackReason: string;
  if (options.maxMessages !== undefined) {
    fallbackReason = '--max-messages given (a move task cannot be capped at a count)';
  } else {
    const [sourceArn, destinationArn] = await Promise.all([queueArn(sqs, options.from), queueArn(sqs, options.to)]);
    try {
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
      const task = options.wait ? await waitForTask(sqs, sourceArn, TaskHandle, options.pollIntervalMs) : { status: 'RUNNING', moved: 0 };
      return { ...base, path: RedrivePath.messageMoveTask, moved: task.moved, failed: [], taskHandle: TaskHandle ?? null, taskStatus: task.status, fallbackReason: null };
    } catch (error) {
      const name = (error as Error).name;
      if (!UNSUPPORTED.has(name)) throw error;
      fallbackReason = `the endpoint does not support StartMessageMoveTask (${name})`;
    }
  }
  const { moved, failed } = await receiveSendDelete(sqs, options.from, options.to, options.maxMessages ?? Number.POSITIVE_INFINITY);
  return { ...base, path: RedrivePath.receiveSendDelete, moved, failed, taskHandle: null, taskStatus: null, fallbackReason };
}

async function queueArn(sqs: Pick<SQSClient, 'send'>, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no QueueArn for ${queueUrl}`);
  return Attributes.QueueArn;
}

async function waitForTask(sqs: Pick<SQSClient, 'send'>, sourceArn: string, handle: string | undefined, intervalMs: number): Promise<{ status: string; moved: number }> {
  const giveUpAt = Date.now() + MOVE_TASK_WAIT_MS;
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
    const task = Results.find((t) => t.TaskHandle === handle) ?? Results[0];
    const status = task?.Status ?? 'UNKNOWN';
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    if (status !== 'RUNNING' || Date.now() >= giveUpAt) return { status, moved };
    await sleep(intervalMs);
  }
}

/** Long enough to send and delete a page of messages before any of them reappears on the DLQ. */
const RECEIVE_VISIBILITY_SECONDS = 120;

/**
 * Receive a page, send it on in batches sized by bytes and entries (a batch refused as too
 * long, or an entry refused in a batch, is sent alone), delete what was sent, and count only
 * what was both sent and deleted. A message that failed is not tried again in the same run,
 * so the loop ends; it is reported with its stage and reason.
 */
async function receiveSendDelete(sqs: Pick<SQSClient, 'send'>, from: string, to: string, max: number): Promise<{ moved: number; failed: RedriveFailure[] }> {
  let moved = 0;
  const failed: RedriveFailure[] = [];
  const done = new Set<string>();
  while (moved + failed.length < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: Math.min(SQS_BATCH_LIMITS.entries, max - moved - failed.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => !done.has(m.MessageId ?? ''));
    if (fresh.length === 0) return { moved, failed };
    for (const m of fresh) done.add(m.MessageId ?? '');

    const { sent, sendFailures } = await sendAll(sqs, to, fresh);
    failed.push(...sendFailures);
    const { deleted, deleteFailures } = await deleteAll(sqs, from, sent);
    failed.push(...deleteFailures);
    moved += deleted;
  }
  return { moved, failed };
}

function entryOf(message: Message, index: number): SendMessageBatchRequestEntry {
  return {
    Id: String(index),
    MessageBody: message.Body ?? '',
    ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0 ? { MessageAttributes: message.MessageAttributes } : {}),
  };
}

async function sendAll(sqs: Pick<SQSClient, 'send'>, to: string, messages: readonly Message[]): Promise<{ sent: Message[]; sendFailures: RedriveFailure[] }> {
  const sent: Message[] = [];
  const sendFailures: RedriveFailure[] = [];
  const entries = messages.map(entryOf);
  const single = async (entry: SendMessageBatchRequestEntry) => {
    const message = messages[Number(entry.Id)]!;
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: to, MessageBody: entry.MessageBody, MessageAttributes: entry.MessageAttributes }));
      sent.push(message);
    } catch (error) {
      sendFailures.push({ messageId: message.MessageId ?? '', stage: 'send', reason: reasonOf(error) });
    }
  };
  for (const batch of splitIntoBatches(entries, sqsEntryBytes)) {
    if (batch.length === 1) {
      await single(batch[0]!);
      continue;
    }
    let result;
    try {
      result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: to, Entries: batch }));
    } catch (error) {
      // A smaller limit than ours (BatchRequestTooLong), or the batch call failing as a whole: one by one.
      for (const entry of batch) await single(entry);
      continue;
    }
    const ok = new Set((result.Successful ?? []).map((s) => s.Id));
    for (const entry of batch) {
      if (ok.has(entry.Id)) sent.push(messages[Number(entry.Id)]!);
    }
    // An entry refused within the batch gets one more try on its own, where only its own size counts.
    for (const entry of batch.filter((e) => !ok.has(e.Id))) await single(entry);
  }
  return { sent, sendFailures };
}

async function deleteAll(sqs: Pick<SQSClient, 'send'>, from: string, messages: readonly Message[]): Promise<{ deleted: number; deleteFailures: RedriveFailure[] }> {
  if (messages.length === 0) return { deleted: 0, deleteFailures: [] };
  const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
  try {
    const { Failed = [] } = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: from, Entries: entries }));
    const deleteFailures = Failed.map((f) => ({
      messageId: messages[Number(f.Id)]?.MessageId ?? '',
      stage: 'delete' as const,
      reason: `${f.Code ?? 'error'}${f.Message ? `: ${f.Message}` : ''}`,
    }));
    return { deleted: messages.length - deleteFailures.length, deleteFailures };
  } catch (error) {
    return { deleted: 0, deleteFailures: messages.map((m) => ({ messageId: m.MessageId ?? '', stage: 'delete' as const, reason: reasonOf(error) })) };
  }
}

function reasonOf(error: unknown): string {
  return describeError(error);
}

function describe(report: RedriveReport): string {
  const how =
    report.path === RedrivePath.messageMoveTask
      ? `with an SQS message move task (${report.taskHandle ?? 'no handle'}, ${report.taskStatus})`
      : `by receive/send/delete, because ${report.fallbackReason}`;
  const count = report.path === RedrivePath.messageMoveTask && report.taskStatus === 'RUNNING' ? 'started moving' : `moved ${report.moved} message${report.moved === 1 ? '' : 's'}`;
  const failures = report.failed.map((f) =>
    safeLine(f.stage === 'send' ? `not sent, still on the DLQ: ${f.messageId} (${f.reason})` : `sent but not deleted from the DLQ (a later redrive sends it again): ${f.messageId} (${f.reason})`),
  );
  return `Redrive ${count} from ${report.from} to ${report.to}\n${how}\n${failures.map((f) => `${f}\n`).join('')}`;
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
