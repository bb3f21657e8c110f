import { randomUUID } from 'node:crypto';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { OutcomeStatus } from '../contracts/outcome-status';
import { readOutcomeMessage } from '../contracts/read-outcome';
import { JobWatchError } from '../errors';
import { buildNotification } from '../notify/notification';
import { buildTestOutcome } from '../notify/test-outcome';
import { ExitCode, usageReporter } from './exit-codes';
import { describeFilterPolicy } from './filter-policy-words';
import { outcomeTopicArnOf, type CloudFormationLike } from './stack-outputs';

/** Exit codes of `notify-test`. */
export const NotifyTestExitCode = {
  ...ExitCode,
  /** Stopped by Ctrl-C, after removing what `--verify` created. */
  interrupted: 130,
} as const;

/** What `--verify` found for one existing subscription. */
export interface SubscriptionVerdict {
  readonly protocol: string;
  readonly endpoint: string;
  readonly filter: string;
  /** `receives`: its copy got the test outcome; `filtered`: it did not within the wait; `pending`: unconfirmed, receives nothing. */
  readonly verdict: 'receives' | 'filtered' | 'pending';
}

/** What `notify-test --json` prints. */
export interface NotifyTestReport {
  readonly schema: 'alation.job-notify-test/v1';
  readonly topicArn: string;
  readonly messageId: string;
  readonly notificationId: string;
  readonly status: OutcomeStatus;
  readonly kind: string | null;
  /** Only with `--verify`. */
  readonly subscriptions: readonly SubscriptionVerdict[] | null;
  /** Temporary queues or subscriptions that could not be removed (delete them by hand). */
  readonly leftovers: readonly string[];
}

/** What `notify-test` needs from outside; tests pass local clients. */
export interface NotifyTestCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly sns?: () => Pick<SNSClient, 'send'>;
  readonly sqs?: () => Pick<SQSClient, 'send'>;
  readonly cloudFormation?: () => CloudFormationLike;
  readonly now?: () => Date;
  /** Source of SIGINT/SIGTERM. @default process */
  readonly signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

interface NotifyTestOptions {
  readonly stack?: string;
  readonly topicArn?: string;
  readonly status: OutcomeStatus;
  readonly kind?: string;
  readonly verify?: boolean;
  readonly verifyWaitSeconds: number;
  readonly json?: boolean;
}

/** Subscriptions copied at most: each copy is a queue and a subscription to create and remove. */
const MAX_COPIES = 50;

/**
 * `alation-job-watch notify-test`: publishes a clearly marked test outcome through the real
 * topic (same attributes, subject and email text as a real one, plus `test`), and with
 * `--verify` shows which subscriptions' filter policies let it through.
 */
export function notifyTestCommand(deps: NotifyTestCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('notify-test')
    .description('Publish a test outcome (marked test: true) through the outcome topic; --verify reports which subscriptions would receive it')
    .option('--stack <name>', "read the topic from this deployed stack's outputs")
    .addOption(new Option('--topic-arn <arn>', 'the outcome topic').conflicts('stack'))
    .addOption(new Option('--status <status>', 'route as an outcome of this status').choices(Object.values(OutcomeStatus)).default(OutcomeStatus.failed))
    .option('--kind <kind>', 'route as an outcome of this kind')
    .option('--verify', 'copy each subscription (filter policy included) to a temporary queue, report which would receive it, then remove the copies')
    .option('--verify-wait-seconds <n>', 'how long --verify waits for deliveries', parsePositiveInteger, 10)
    .option('--json', 'print exactly one JSON object')
    .addHelpText('after', '\nExit codes: 0 published, 2 bad usage, 1 the publish or the verification failed, 130 Ctrl-C (copies removed first).')
    .action(async (options: NotifyTestOptions) => {
      setExitCode(await runNotifyTest(options, deps));
    });
}

async function runNotifyTest(options: NotifyTestOptions, deps: NotifyTestCommandDeps): Promise<number> {
  const usage = usageReporter(deps.writeError);
  if (options.stack === undefined && options.topicArn === undefined) return usage('give --stack or --topic-arn');
  let topicArn: string;
  try {
    topicArn = await outcomeTopicArnOf(options, deps.cloudFormation?.());
  } catch (error) {
    if (error instanceof JobWatchError) return usage(error.message);
    throw error;
  }
  const sns = deps.sns?.() ?? new SNSClient({});
  const sqs = deps.sqs?.() ?? new SQSClient({});
  const abort = new AbortController();
  const signals = deps.signals ?? process;
  const onSignal = () => {
    deps.writeError('\nStopping: removing the temporary copies…\n');
    abort.abort();
  };
  signals.once('SIGINT', onSignal);
  signals.once('SIGTERM', onSignal);
  const copies = new Copies(sns, sqs);
  try {
    const outcome = buildTestOutcome({ status: options.status, kind: options.kind ?? null, now: (deps.now ?? (() => new Date()))() });
    let subscriptions: SubscriptionVerdict[] | null = null;
    let pendingCopies: Array<{ verdict: Omit<SubscriptionVerdict, 'verdict'>; queueUrl: string }> = [];
    if (options.verify) {
      const listed = await listSubscriptions(sns, topicArn, abort.signal);
      subscriptions = [];
      for (const s of listed) {
        if (s.pending) subscriptions.push({ ...s.view, verdict: 'pending' });
        else if (pendingCopies.length < MAX_COPIES) pendingCopies.push({ verdict: s.view, queueUrl: await copies.copy(topicArn, s.attributes, abort.signal) });
      }
    }
    const notification = buildNotification(outcome);
    const { MessageId = '' } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: notification.Subject,
        Message: notification.Message,
        MessageStructure: notification.MessageStructure,
        MessageAttributes: notification.MessageAttributes,
      }),
      { abortSignal: abort.signal },
    );
    if (subscriptions) {
      const received = await waitForDeliveries(sqs, pendingCopies.map((c) => c.queueUrl), outcome.notificationId, options.verifyWaitSeconds * 1000, abort.signal);
      subscriptions.push(...pendingCopies.map((c, i) => ({ ...c.verdict, verdict: received[i] ? ('receives' as const) : ('filtered' as const) })));
      pendingCopies = [];
    }
    const leftovers = await copies.removeAll();
    const report: NotifyTestReport = {
      schema: 'alation.job-notify-test/v1',
      topicArn,
      messageId: MessageId,
      notificationId: outcome.notificationId,
      status: outcome.status,
      kind: outcome.kind,
      subscriptions,
      leftovers,
    };
    deps.write(options.json ? `${JSON.stringify(report)}\n` : describe(report));
    return leftovers.length > 0 ? NotifyTestExitCode.unexpected : NotifyTestExitCode.successful;
  } catch (error) {
    const leftovers = await copies.removeAll();
    if (leftovers.length > 0) deps.writeError(`Could not remove (delete by hand): ${leftovers.join(', ')}\n`);
    if (abort.signal.aborted) return NotifyTestExitCode.interrupted;
    deps.writeError(`error: ${(error as Error).message}\n`);
    return NotifyTestExitCode.unexpected;
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    if (!deps.sns && sns instanceof SNSClient) sns.destroy();
    if (!deps.sqs && sqs instanceof SQSClient) sqs.destroy();
  }
}

interface ListedSubscription {
  readonly view: Omit<SubscriptionVerdict, 'verdict'>;
  readonly pending: boolean;
  readonly attributes: Record<string, string>;
}

async function listSubscriptions(sns: Pick<SNSClient, 'send'>, topicArn: string, signal: AbortSignal): Promise<ListedSubscription[]> {
  const listed: ListedSubscription[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }), { abortSignal: signal });
    for (const s of answer.Subscriptions ?? []) {
      const base = { protocol: s.Protocol ?? '?', endpoint: s.Endpoint ?? '?' };
      if (s.SubscriptionArn === 'PendingConfirmation' || !s.SubscriptionArn) {
        listed.push({ view: { ...base, filter: 'unknown (pending)' }, pending: true, attributes: {} });
        continue;
      }
      const { Attributes = {} } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }), { abortSignal: signal });
      listed.push({
        view: { ...base, filter: describeFilterPolicy(Attributes.FilterPolicy, Attributes.FilterPolicyScope) },
        pending: Attributes.PendingConfirmation === 'true',
        attributes: Attributes,
      });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return listed;
}

/** The temporary queues and subscriptions `--verify` makes, remembered as soon as each exists. */
class Copies {
  private readonly queues: string[] = [];
  private readonly subscriptions: string[] = [];
  /** Queue ARNs a Subscribe was sent for: its answer may never arrive (Ctrl-C, a timeout), the subscription may still exist. */
  private readonly endpoints = new Set<string>();
  private topicArn: string | undefined;
  private readonly run = randomUUID().slice(0, 8);

  constructor(
    private readonly sns: Pick<SNSClient, 'send'>,
    private readonly sqs: Pick<SQSClient, 'send'>,
  ) {}

  /** A queue subscribed to the topic with the original's filter policy and scope; returns its URL. */
  async copy(topicArn: string, original: Record<string, string>, signal: AbortSignal): Promise<string> {
    const [, , , region, account] = topicArn.split(':');
    const name = `ajw-notify-test-${this.run}-${this.queues.length + 1}`;
    const queueArn = `arn:aws:sqs:${region}:${account}:${name}`;
    const { QueueUrl } = await this.sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          // Should removal fail, what the copy received is gone within minutes anyway.
          MessageRetentionPeriod: '300',
          // SNS may deliver to this queue only from this topic.
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
          }),
        },
      }),
      { abortSignal: signal },
    );
    if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
    this.queues.push(QueueUrl);
    this.topicArn = topicArn;
    this.endpoints.add(queueArn);
    const { SubscriptionArn } = await this.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        ReturnSubscriptionArn: true,
        Attributes: {
          RawMessageDelivery: 'true',
          ...(original.FilterPolicy ? { FilterPolicy: original.FilterPolicy, FilterPolicyScope: original.FilterPolicyScope ?? 'MessageAttributes' } : {}),
        },
      }),
      { abortSignal: signal },
    );
    if (SubscriptionArn) this.subscriptions.push(SubscriptionArn);
    return QueueUrl;
  }

  /** Removes everything created, subscriptions first; never throws. @returns what could not be removed */
  async removeAll(): Promise<string[]> {
    const left: string[] = [];
    for (const arn of await this.subscriptionsOfOurs()) {
      await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn })).catch(() => left.push(arn));
    }
    for (const url of this.queues.splice(0)) {
      await this.sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => left.push(url));
    }
    return left;
  }

  /**
   * The subscriptions to remove: those whose Subscribe answered, and any on the topic whose
   * endpoint is one of our queues (a Subscribe whose answer was lost still made one). If the
   * topic cannot be listed, the answered ones are still removed.
   */
  private async subscriptionsOfOurs(): Promise<string[]> {
    const arns = new Set(this.subscriptions.splice(0));
    if (this.topicArn && this.endpoints.size > 0) {
      let token: string | undefined;
      try {
        for (let page = 0; page < 20; page++) {
          const answer = await this.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: this.topicArn, NextToken: token }));
          for (const s of answer.Subscriptions ?? []) {
            if (s.Endpoint && this.endpoints.has(s.Endpoint) && s.SubscriptionArn?.startsWith('arn:')) arns.add(s.SubscriptionArn);
          }
          token = answer.NextToken;
          if (!token) break;
        }
      } catch {
        // Listing is a second chance only; what was answered is removed regardless.
      }
    }
    this.endpoints.clear();
    return [...arns];
  }
}

/** Polls each copy until it holds the test outcome or the wait is over. @returns received, by copy */
async function waitForDeliveries(sqs: Pick<SQSClient, 'send'>, queueUrls: readonly string[], notificationId: string, waitMs: number, signal: AbortSignal): Promise<boolean[]> {
  const received = queueUrls.map(() => false);
  const giveUpAt = Date.now() + waitMs;
  while (Date.now() < giveUpAt && received.some((r) => !r)) {
    await Promise.all(
      queueUrls.map(async (url, i) => {
        if (received[i]) return;
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }), { abortSignal: signal });
        received[i] = Messages.some((m) => {
          try {
            return readOutcomeMessage(m.Body ?? '').notificationId === notificationId;
          } catch {
            return false;
          }
        });
      }),
    );
  }
  return received;
}

function describe(report: NotifyTestReport): string {
  const lines = [
    `Published a test outcome (status ${report.status}${report.kind ? `, kind ${report.kind}` : ''}) to ${report.topicArn}`,
    `message id ${report.messageId}, notificationId ${report.notificationId}; it carries "test": true and the message attribute test=true`,
  ];
  if (report.subscriptions) {
    lines.push('', 'Subscriptions:');
    const mark = { receives: '✓', filtered: '✗', pending: '?' } as const;
    const words = { receives: 'would receive it', filtered: 'would not receive it (its filter policy drops it)', pending: 'pending confirmation: receives nothing until confirmed' } as const;
    for (const s of report.subscriptions) lines.push(`  ${mark[s.verdict]} ${s.protocol} ${s.endpoint}: ${s.filter}: ${words[s.verdict]}`);
    if (report.subscriptions.length === 0) lines.push('  (none: nobody receives outcomes)');
    lines.push(report.leftovers.length === 0 ? 'The temporary copies are removed.' : `Could not remove (delete by hand): ${report.leftovers.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}
