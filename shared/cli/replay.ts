import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PublishCommand, SNSClient, type MessageAttributeValue as SnsAttribute } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Command, InvalidArgumentError, Option } from 'commander';
import { REPLAY_TARGET_ATTRIBUTE, REPLAY_TARGET_PATTERN } from '../contracts/replay-target';
import { ExitCode, usageReporter } from './exit-codes';
import { SUBSCRIPTION_DLQ_OUTPUT_PREFIX, StackOutput, type CloudFormationLike } from './stack-outputs';

/**
 * The at-most-once ledger of replays: one record per dead letter, claimed before the publish
 * and marked done after it. Kept in the stack's idempotency table (key `id`, TTL `expiration`),
 * every key starting with {@link REPLAY_LEDGER_KEY_PREFIX}.
 */
export interface ReplayLedger {
  /** `claimed` when this run may replay; otherwise what an earlier run left. */
  claim(key: string, target: string): Promise<'claimed' | 'replayed' | 'in_doubt'>;
  markReplayed(key: string): Promise<void>;
  /** Gives a claim back after a publish that certainly failed. */
  release(key: string): Promise<void>;
}

/**
 * Every ledger key starts with this, so the operator policy can confine `replay`'s writes to
 * the ledger's own items (`dynamodb:LeadingKeys`), away from the function's idempotency records.
 */
export const REPLAY_LEDGER_KEY_PREFIX = 'replay#';

/** Longer than the 14-day retention of a DLQ, so no record expires while its message can exist. */
const LEDGER_TTL_SECONDS = 15 * 86_400;
/** Long enough to publish and delete one message; it reappears after this if the run dies. */
const VISIBILITY_TIMEOUT_SECONDS = 120;

/** A {@link ReplayLedger} in a DynamoDB table with Powertools' idempotency layout. */
export function dynamoDbReplayLedger(client: DynamoDBClient, tableName: string, now: () => Date = () => new Date()): ReplayLedger {
  const doc = DynamoDBDocumentClient.from(client);
  return {
    async claim(key, target) {
      try {
        // A conditional UpdateItem creates the claim like a PutItem would, and names the item by
        // its key, which IAM then checks against the operator policy's dynamodb:LeadingKeys.
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: key },
            UpdateExpression: 'SET #s = :s, #t = :t, #e = :e',
            ExpressionAttributeNames: { '#s': 'state', '#t': 'target', '#e': 'expiration' },
            ExpressionAttributeValues: { ':s': 'replaying', ':t': target, ':e': Math.floor(now().getTime() / 1000) + LEDGER_TTL_SECONDS },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') throw error;
        const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { id: key }, ConsistentRead: true }));
        return Item?.state === 'replayed' ? 'replayed' : 'in_doubt';
      }
    },
    async markReplayed(key) {
      await doc.send(new UpdateCommand({ TableName: tableName, Key: { id: key }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': 'replayed' } }));
    },
    async release(key) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { id: key } }));
    },
  };
}

/** One subscription dead-letter queue and the target key of its subscription. */
export interface ReplaySource {
  readonly target: string;
  readonly dlqUrl: string;
}

/** What `replay --json` prints. */
export interface ReplayReport {
  readonly schema: 'alation.subscription-replay/v1';
  readonly topicArn: string;
  readonly sources: readonly {
    readonly target: string;
    readonly dlqUrl: string;
    /** Republished now, then deleted from the DLQ. */
    readonly replayed: number;
    /** Replayed by an earlier run that died before deleting: deleted now, not republished. */
    readonly alreadyReplayed: number;
    /**
     * Claimed by an earlier run that died between claim and the publish's answer: it may or
     * may not have been published, so it is neither republished nor deleted. Their SQS message ids.
     */
    readonly inDoubt: readonly string[];
    /** Publishes that failed: left on the DLQ for a later run. */
    readonly failed: number;
  }[];
}

/** One dead letter as SNS left it: the message, its subject (if it had one) and attributes. */
export interface DeadLetter {
  readonly message: string;
  readonly subject?: string;
  readonly attributes: Record<string, SnsAttribute>;
}

/**
 * What SNS put in a subscription DLQ, as a publishable message. SNS writes the payload with its
 * attributes as SQS message attributes; a body that is an SNS envelope (`Type: Notification`)
 * is unwrapped too, so a replay never delivers an envelope inside an envelope.
 */
export function deadLetterOf(message: Pick<Message, 'Body' | 'MessageAttributes'>): DeadLetter {
  const body = message.Body ?? '';
  const envelope = parseEnvelope(body);
  if (envelope) return envelope;
  const attributes: Record<string, SnsAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.DataType && value.StringValue !== undefined) attributes[name] = { DataType: value.DataType, StringValue: value.StringValue };
  }
  return { message: body, attributes };
}

function parseEnvelope(body: string): DeadLetter | undefined {
  if (!body.startsWith('{') || body.length > 300_000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const e = parsed as { Type?: unknown; Message?: unknown; Subject?: unknown; MessageAttributes?: unknown };
  if (e.Type !== 'Notification' || typeof e.Message !== 'string') return undefined;
  const attributes: Record<string, SnsAttribute> = {};
  if (typeof e.MessageAttributes === 'object' && e.MessageAttributes !== null) {
    for (const [name, value] of Object.entries(e.MessageAttributes as Record<string, { Type?: unknown; Value?: unknown }>)) {
      if (typeof value?.Type === 'string' && typeof value.Value === 'string') attributes[name] = { DataType: value.Type, StringValue: value.Value };
    }
  }
  return { message: e.Message, attributes, ...(typeof e.Subject === 'string' && e.Subject !== '' ? { subject: e.Subject } : {}) };
}

/**
 * Replays one subscription DLQ to the outcome topic, addressed to that subscription only.
 * Per message: claim it in the ledger, publish with `replayTo`, mark it replayed, then delete
 * it. A crash after the publish leaves a claim, so no later run publishes it twice; nothing is
 * deleted before SNS accepted the publish.
 */
export async function replaySource(
  clients: { sqs: Pick<SQSClient, 'send'>; sns: Pick<SNSClient, 'send'>; ledger: ReplayLedger },
  options: { topicArn: string; source: ReplaySource; maxMessages: number },
): Promise<ReplayReport['sources'][number]> {
  const { sqs, sns, ledger } = clients;
  const { source } = options;
  const result = { target: source.target, dlqUrl: source.dlqUrl, replayed: 0, alreadyReplayed: 0, inDoubt: [] as string[], failed: 0 };
  const seen = new Set<string>();
  while (result.replayed + result.alreadyReplayed + result.failed + result.inDoubt.length < options.maxMessages) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: source.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    // Nothing new: the queue is empty, or holds only what this run left there (in doubt, failed).
    if (fresh.length === 0) return result;
    for (const m of fresh) {
      seen.add(m.MessageId!);
      const key = `${REPLAY_LEDGER_KEY_PREFIX}${source.dlqUrl}#${m.MessageId}`;
      const claim = await ledger.claim(key, source.target);
      if (claim === 'in_doubt') {
        result.inDoubt.push(m.MessageId!);
        continue;
      }
      if (claim === 'claimed') {
        const letter = deadLetterOf(m);
        try {
          await sns.send(
            new PublishCommand({
              TopicArn: options.topicArn,
              Message: letter.message,
              ...(letter.subject ? { Subject: letter.subject } : {}),
              MessageAttributes: { ...letter.attributes, [REPLAY_TARGET_ATTRIBUTE]: { DataType: 'String', StringValue: source.target } },
            }),
          );
        } catch (error) {
          // SNS refused it (4xx): nothing was published, so the claim can go.
          if (isRefusal(error)) {
            await ledger.release(key);
            result.failed += 1;
            continue;
          }
          // No answer (network, timeout) or a server error (5xx, from SNS or anything between):
          // it may have been published; the claim stays.
          result.inDoubt.push(m.MessageId!);
          continue;
        }
        await ledger.markReplayed(key);
        result.replayed += 1;
      } else {
        result.alreadyReplayed += 1;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: source.dlqUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return result;
}

/** What `replay` needs from outside; tests pass local clients. */
export interface ReplayCommandDeps {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly sqs?: () => Pick<SQSClient, 'send'>;
  readonly sns?: () => Pick<SNSClient, 'send'>;
  readonly dynamodb?: () => DynamoDBClient;
  readonly cloudFormation?: () => CloudFormationLike;
}

interface ReplayOptions {
  readonly stack?: string;
  readonly dlqUrl?: string;
  readonly target?: string;
  readonly topicArn?: string;
  readonly table?: string;
  readonly maxMessages?: number;
  readonly json?: boolean;
}

/**
 * `alation-job-watch replay`: republishes what SNS could not deliver to a subscription, to that
 * subscription only, at most once per message (docs/operating.md#replay).
 */
export function replayCommand(deps: ReplayCommandDeps, setExitCode: (code: number) => void): Command {
  return new Command('replay')
    .description('Republish outcomes from the subscription dead-letter queues to the subscription that missed them, at most once each')
    .option('--stack <name>', 'read the topic, the ledger table and every subscription DLQ from this deployed stack\'s outputs')
    .option('--target <key>', 'only this subscription (its replay target key); with --dlq-url, required')
    .addOption(new Option('--dlq-url <url>', 'one subscription dead-letter queue').conflicts('stack'))
    .addOption(new Option('--topic-arn <arn>', 'the outcome topic').conflicts('stack'))
    .addOption(new Option('--table <name>', 'the idempotency table, which keeps the replay ledger').conflicts('stack'))
    .option('--max-messages <n>', 'replay at most this many per queue', parsePositiveInteger)
    .option('--json', 'print exactly one JSON object')
    .addHelpText('after', '\nExit codes: 0 replayed (or nothing to replay), 2 bad usage, 1 some messages failed or are in doubt.')
    .action(async (options: ReplayOptions) => {
      setExitCode(await runReplay(options, deps));
    });
}

async function runReplay(options: ReplayOptions, deps: ReplayCommandDeps): Promise<number> {
  const usage = usageReporter(deps.writeError);
  if (options.target !== undefined && !REPLAY_TARGET_PATTERN.test(options.target)) return usage(`--target must be 16 hex digits (got ${JSON.stringify(options.target)})`);
  let topicArn: string;
  let table: string;
  let sources: ReplaySource[];
  if (options.stack !== undefined) {
    const { Stacks = [] } = await (deps.cloudFormation?.() ?? new CloudFormationClient({})).send(new DescribeStacksCommand({ StackName: options.stack }));
    const outputs = new Map((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    const missing = [StackOutput.outcomeTopicArn, StackOutput.idempotencyTableName].filter((n) => !outputs.get(n));
    if (missing.length > 0) return usage(`stack ${options.stack} has no output ${missing.join(', ')}`);
    topicArn = outputs.get(StackOutput.outcomeTopicArn)!;
    table = outputs.get(StackOutput.idempotencyTableName)!;
    // Exactly the prefix and a target key: another output that shares the prefix is no source.
    sources = [...outputs]
      .flatMap(([name, dlqUrl]) => {
        const target = name.startsWith(SUBSCRIPTION_DLQ_OUTPUT_PREFIX) ? name.slice(SUBSCRIPTION_DLQ_OUTPUT_PREFIX.length) : '';
        return REPLAY_TARGET_PATTERN.test(target) ? [{ target, dlqUrl }] : [];
      })
      .filter((s) => options.target === undefined || s.target === options.target);
    if (options.target !== undefined && sources.length === 0) return usage(`stack ${options.stack} has no subscription with target ${options.target}`);
  } else {
    if (options.dlqUrl === undefined || options.target === undefined || options.topicArn === undefined || options.table === undefined) {
      return usage('give --stack, or all of --dlq-url, --target, --topic-arn and --table');
    }
    topicArn = options.topicArn;
    table = options.table;
    sources = [{ target: options.target, dlqUrl: options.dlqUrl }];
  }

  const sqs = deps.sqs?.() ?? new SQSClient({});
  // One attempt: the SDK retries a 5xx, and a 5xx may follow a publish that went through.
  const sns = deps.sns?.() ?? new SNSClient({ maxAttempts: 1 });
  const dynamodb = deps.dynamodb?.() ?? new DynamoDBClient({});
  try {
    const ledger = dynamoDbReplayLedger(dynamodb, table);
    const results: ReplayReport['sources'][number][] = [];
    for (const source of sources) {
      results.push(await replaySource({ sqs, sns, ledger }, { topicArn, source, maxMessages: options.maxMessages ?? Number.POSITIVE_INFINITY }));
    }
    const report: ReplayReport = { schema: 'alation.subscription-replay/v1', topicArn, sources: results };
    deps.write(options.json ? `${JSON.stringify(report)}\n` : describe(report));
    return results.some((r) => r.failed > 0 || r.inDoubt.length > 0) ? ExitCode.unexpected : ExitCode.successful;
  } finally {
    if (!deps.sqs && sqs instanceof SQSClient) sqs.destroy();
    if (!deps.sns && sns instanceof SNSClient) sns.destroy();
    if (!deps.dynamodb) dynamodb.destroy();
  }
}

function describe(report: ReplayReport): string {
  if (report.sources.length === 0) return 'Replay: the stack has no subscription dead-letter queues\n';
  return report.sources
    .map((s) => {
      const lines = [`Subscriber ${s.target}: replayed ${s.replayed}, already replayed ${s.alreadyReplayed}, failed ${s.failed}, in doubt ${s.inDoubt.length}`];
      if (s.inDoubt.length > 0) {
        lines.push(`  in doubt (an earlier run may have published them; left on ${s.dlqUrl}): ${s.inDoubt.join(', ')}`);
      }
      return lines.join('\n');
    })
    .join('\n')
    .concat('\n');
}

function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/**
 * Only a 4xx answer says the publish was refused. A 5xx (SNS's InternalError, or a gateway's
 * 502/503/504) says nothing about whether SNS took the message, so it is in doubt, like no answer.
 */
function isRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
}
