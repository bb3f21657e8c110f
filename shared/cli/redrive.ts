import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { JobWatchError } from '../errors';
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
  /** Messages moved (SQS's approximate count on the move-task path). */
  readonly moved: number;
  /** Move task only: SQS's handle, to follow with `aws sqs list-message-move-tasks`. */
  readonly taskHandle: string | null;
  /** Move task only: its last status (COMPLETED, RUNNING when `--no-wait`, FAILED, …). */
  readonly taskStatus: string | null;
  /** Why the move-task path was not used, when it was not. */
  readonly fallbackReason: string | null;
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
    .addHelpText('after', '\nExit codes: 0 moved (or nothing to move), 2 bad usage, 1 the move failed.')
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
    deps.write(options.json ? `${JSON.stringify(report)}\n` : describe(report));
    return report.taskStatus === 'FAILED' ? ExitCode.unexpected : ExitCode.successful;
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
      return { ...base, path: RedrivePath.messageMoveTask, moved: task.moved, taskHandle: TaskHandle ?? null, taskStatus: task.status, fallbackReason: null };
    } catch (error) {
      const name = (error as Error).name;
      if (!UNSUPPORTED.has(name)) throw error;
      fallbackReason = `the endpoint does not support StartMessageMoveTask (${name})`;
    }
  }
  const moved = await receiveSendDelete(sqs, options.from, options.to, options.maxMessages ?? Number.POSITIVE_INFINITY);
  return { ...base, path: RedrivePath.receiveSendDelete, moved, taskHandle: null, taskStatus: null, fallbackReason };
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

async function receiveSendDelete(sqs: Pick<SQSClient, 'send'>, from: string, to: string, max: number): Promise<number> {
  let moved = 0;
  while (moved < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return moved;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0 ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      }),
    );
    // Delete only what was sent; a message that failed to send stays on the DLQ.
    const sentIds = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })).filter((e) => sentIds.has(e.Id));
    if (toDelete.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: from, Entries: toDelete }));
    moved += toDelete.length;
    if (sent.Failed && sent.Failed.length > 0) {
      throw new Error(`could not send ${sent.Failed.length} message(s) to ${to}: ${sent.Failed[0]?.Message ?? sent.Failed[0]?.Code}; ${moved} moved so far`);
    }
  }
  return moved;
}

function describe(report: RedriveReport): string {
  const how =
    report.path === RedrivePath.messageMoveTask
      ? `with an SQS message move task (${report.taskHandle ?? 'no handle'}, ${report.taskStatus})`
      : `by receive/send/delete, because ${report.fallbackReason}`;
  const count = report.path === RedrivePath.messageMoveTask && report.taskStatus === 'RUNNING' ? 'started moving' : `moved ${report.moved} message${report.moved === 1 ? '' : 's'}`;
  return `Redrive ${count} from ${report.from} to ${report.to}\n${how}\n`;
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
