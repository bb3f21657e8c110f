import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { jobLabel } from '../alation/job-identifier';
import { OutcomeStatus, type Outcome } from '../contracts/outcome';
import { readOutcomeMessage } from '../contracts/read-outcome';
import { JobWatchError } from '../errors';
import { countsCell, errorsCell } from '../local/demo/outcome-table';
import { safeJson, safeLine } from '../notify/safe-text';
import { ExitCode, usageReporter } from './exit-codes';
import { outcomeTopicArnOf, type CloudFormationLike } from './stack-outputs';

/** What `tail` needs from outside; tests pass local clients and their own stop signal. */
export interface TailCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly sqs?: () => Pick<SQSClient, 'send'>;
  readonly sns?: () => Pick<SNSClient, 'send'>;
  readonly cloudFormation?: () => CloudFormationLike;
  /** Source of SIGINT/SIGTERM. @default process */
  readonly signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
  /** Called once the temporary queue is subscribed, so a test knows when to publish. */
  readonly onReady?: (queueUrl: string) => void;
}

interface TailOptions {
  readonly topicArn?: string;
  readonly stack?: string;
  readonly status?: string[];
  readonly count?: number;
  readonly timeoutSeconds?: number;
  readonly json?: boolean;
}

/**
 * `alation-job-watch tail`: prints outcomes as the topic publishes them, through a temporary
 * queue subscribed with raw delivery (and a `status` filter when asked). The queue and the
 * subscription are removed on exit, Ctrl-C included.
 */
export function tailCommand(deps: TailCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('tail')
    .description('Print outcomes as they are published (through a temporary queue subscribed to the outcome topic)')
    .addOption(new Option('--topic-arn <arn>', 'the outcome topic').conflicts('stack'))
    .option('--stack <name>', 'read the topic from this deployed stack\'s OutcomeTopicArn output')
    .addOption(new Option('--status <status...>', 'only these statuses (an SNS filter policy)').choices(Object.values(OutcomeStatus)))
    .option('--count <n>', 'stop after this many outcomes', parsePositiveInteger)
    .option('--timeout-seconds <n>', 'stop after this long', parsePositiveInteger)
    .option('--json', 'print each outcome as one JSON line')
    .addHelpText('after', '\nStops on Ctrl-C, --count or --timeout-seconds, removing its queue and subscription.\nExit codes: 0 stopped cleanly, 5 --count not reached before --timeout-seconds, 2 bad usage, 1 an AWS call failed.')
    .action(async (options: TailOptions) => {
      setExitCode(await runTail(options, deps));
    });
}

async function runTail(options: TailOptions, deps: TailCommandDeps): Promise<number> {
  const usage = usageReporter(deps.writeError);
  if (options.topicArn === undefined && options.stack === undefined) return usage('give --topic-arn or --stack');
  let topicArn: string;
  try {
    topicArn = await outcomeTopicArnOf(options, deps.cloudFormation?.());
  } catch (error) {
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  }

  const sqs = deps.sqs?.() ?? new SQSClient({});
  const sns = deps.sns?.() ?? new SNSClient({});
  const stop = new AbortController();
  const signals = deps.signals ?? process;
  const onSignal = () => stop.abort();
  signals.once('SIGINT', onSignal);
  signals.once('SIGTERM', onSignal);
  const timer = options.timeoutSeconds !== undefined ? setTimeout(() => stop.abort(), options.timeoutSeconds * 1000) : undefined;

  let queueUrl: string | undefined;
  let subscriptionArn: string | undefined;
  let received = 0;
  try {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `alation-job-watch-tail-${randomUUID().slice(0, 8)}` }))).QueueUrl!;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes!.QueueArn!;
    // SNS may only deliver to a queue whose policy lets this topic send to it.
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: queuePolicy(queueArn, topicArn) } }),
    );
    subscriptionArn = (
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
          Attributes: {
            RawMessageDelivery: 'true',
            ...(options.status?.length ? { FilterPolicy: JSON.stringify({ status: options.status }), FilterPolicyScope: 'MessageAttributes' } : {}),
          },
        }),
      )
    ).SubscriptionArn;
    if (!options.json) deps.writeError(`Tailing ${topicArn}${options.status?.length ? ` (status ${options.status.join(', ')})` : ''}; Ctrl-C to stop.\n`);
    deps.onReady?.(queueUrl);

    while (!stop.signal.aborted && (options.count === undefined || received < options.count)) {
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
          { abortSignal: stop.signal },
        ));
      } catch (error) {
        if (stop.signal.aborted) break;
        throw error;
      }
      for (const message of messages) {
        if (options.count !== undefined && received >= options.count) break;
        try {
          const outcome = readOutcomeMessage(message.Body ?? '');
          deps.write(options.json ? `${safeJson(outcome)}\n` : describe(outcome));
        } catch (error) {
          deps.writeError(`${safeLine(`skipped a message that is not an outcome: ${(error as Error).message}`)}\n`);
        }
        received += 1;
      }
      if (messages.length > 0) {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
    }
  } finally {
    clearTimeout(timer);
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    // Best effort: a leftover queue costs nothing but clutters the account.
    if (subscriptionArn) await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(() => undefined);
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    if (!deps.sqs && sqs instanceof SQSClient) sqs.destroy();
    if (!deps.sns && sns instanceof SNSClient) sns.destroy();
  }
  return options.count !== undefined && received < options.count && options.timeoutSeconds !== undefined && stop.signal.aborted ? ExitCode.running : ExitCode.successful;
}

function queuePolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}

/** One line per outcome: when, which job, how it ended, the counts; safe for a terminal whatever the job's name or Alation's text. */
export function describe(outcome: Outcome): string {
  return `${safeLine(`${outcome.publishedAt}  ${jobLabel(outcome.job)}  ${outcome.status}  polls ${outcome.polls}  ${countsCell(outcome)}  errors: ${errorsCell(outcome)}${outcome.kind ? `  kind ${outcome.kind}` : ''}`)}\n`;
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
