/**
 * Least privilege for operators: each `alation-job-watch` command that calls AWS runs against
 * the local stack with recording clients, and every call is decided by an IAM policy simulator
 * against the documented operator policy (`docs/operator-policy.json`, filled in with the
 * synthesized stack's outputs). Every call must be allowed, every granted action used, and
 * every command of the CLI either run here or listed as making no AWS call.
 */
import { readFileSync } from 'node:fs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../shared/cli/check';
import { doctorCommand } from '../../shared/cli/doctor';
import { notifyTestCommand } from '../../shared/cli/notify-test';
import { enqueueCommand } from '../../shared/cli/enqueue';
import { main } from '../../shared/cli/main';
import { redrive, redriveCommand } from '../../shared/cli/redrive';
import { REPLAY_LEDGER_KEY_PREFIX, replayCommand } from '../../shared/cli/replay';
import { replayAwareFilterPolicy, subscriberKey } from '../../infra/subscriptions';
import { tailCommand } from '../../shared/cli/tail';
import { secretsManagerTokenProvider } from '../../shared/aws/secrets-manager-tokens';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { LOCAL_FUNCTION_NAME, localStackOutputs, startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { runCommand, stackWithOutputs, type CommandRun } from '../cli/operator-helpers';
import { AwsCallLog, AwsService, recordAwsCalls, recordingSend } from '../support/aws-calls';
import { outcome } from '../support/outcomes';
import { FAKE_STACK_NAME } from './support/deployed-template';
import { evaluate, explainUnused, grantsOf, refusals, unusedGrants, type GrantReason, type Verdict } from './support/evaluate';
import { jobStatusDeployment, type FunctionDeployment } from './support/function-role';
import { LEADING_KEYS, ResourceMap, iamRequestsOf } from './support/iam-requests';
import { OPERATOR_POLICY_FILE, operatorPrincipal } from './support/operator-policy';
import type { Principal } from './support/policies';

/** Commands that make no AWS call, and why: every other command needs a run below. */
const NO_AWS_COMMANDS: Readonly<Record<string, string>> = {
  simulate: "serves a simulator of Alation's API on loopback",
  start: 'runs every AWS service as a local stand-in on loopback (a demo, or real Alation jobs watched locally)',
  help: "commander's help",
};

/**
 * Commands that call AWS but are not run here yet: a known gap, listed so that it shows, and the
 * operator policy does not cover them. Empty: every command that calls AWS is run below.
 */
const NOT_YET_PROVEN: Readonly<Record<string, string>> = {};

/** The stack's subscribers: a webhook and an email address, each with its own dead-letter queue. */
const WEBHOOK = 'https://hooks.example.com/alation';
const EMAIL = 'oncall@example.com';
const WEBHOOK_KEY = subscriberKey('https', WEBHOOK);
const EMAIL_KEY = subscriberKey('email', EMAIL);

/** Granted actions no recorded call uses, and why they stay. Empty today: keep it that way if you can. */
const OPERATOR_GRANT_REASONS: readonly GrantReason[] = [];

let sim: AlationSimulator;
let aws: LocalAws;
let resources: JobWatchResources;
let deployment: FunctionDeployment;
let operator: Principal;
let clients: { sqs: SQSClient; sns: SNSClient; secretsManager: SecretsManagerClient; dynamodb: DynamoDBClient };
/** The local stand-ins of the subscription dead-letter queues, by target key. */
const subscriptionDlq: Record<string, string> = {};
let localOutputs: Record<string, string>;
/** doctor reads a whole local stack (function, mapping, alarms) through the control-plane stand-in. */
let watch: LocalJobWatch;
const calls = new Map<string, AwsCallLog>();

/** A fresh log per command, so a refusal names the command that made the call. */
function logFor(command: string): AwsCallLog {
  const log = new AwsCallLog();
  calls.set(command, log);
  return log;
}

/** The command's AWS clients, recording into its log; CloudFormation is a stand-in with the stack's outputs. */
function recordedDeps(command: string) {
  const log = logFor(command);
  // The stand-ins check signatures with this run's own credentials.
  const common = { region: aws.region, credentials: aws.credentials };
  clients = {
    sqs: recordAwsCalls(new SQSClient({ ...common, endpoint: aws.endpoints.sqs }), log),
    sns: recordAwsCalls(new SNSClient({ ...common, endpoint: aws.endpoints.sns }), log),
    secretsManager: recordAwsCalls(new SecretsManagerClient({ ...common, endpoint: aws.endpoints.secretsManager }), log),
    dynamodb: recordAwsCalls(new DynamoDBClient({ ...common, endpoint: aws.endpoints.dynamodb }), log),
  };
  return {
    log,
    sqs: () => clients.sqs,
    sns: () => clients.sns,
    dynamodb: () => clients.dynamodb,
    cloudFormation: () => recordingSend(stackWithOutputs(localOutputs), AwsService.cloudFormation, log),
  };
}

async function judge(logs: readonly AwsCallLog[]): Promise<Verdict[]> {
  const map = new ResourceMap(deployment.template)
    .bindOutputs(localOutputs)
    .bindOutputs(outputsOf(watch))
    .bind({ function: LOCAL_FUNCTION_NAME }, { function: { Ref: deployment.functionLogicalId } }, 'the job-status function');
  return evaluate(operator, logs.flatMap((log) => log.calls.flatMap((call) => iamRequestsOf(call, map))), deployment.template);
}

beforeAll(async () => {
  deployment = jobStatusDeployment({ webhookUrls: [WEBHOOK], notifyEmails: [EMAIL] });
  operator = operatorPrincipal(deployment.template);
  // doctor's stack holds a refresh token, the form doctor can check end to end (its lifetime included).
  sim = await startAlationSimulator({ jobs: [{ id: 7, durationMs: 0, preset: 'counts' }], refreshTokens: [{ refreshToken: 'operator-refresh-token', userId: 7 }] });
  aws = await startLocalAws();
  // One filtered subscription, so notify-test --verify copies it to a temporary queue.
  // A queue stands in for the webhook, with the filter policy the construct gives it.
  resources = await provisionJobWatch(aws, {
    tokenSecretValue: sim.accessToken,
    prefix: 'operator',
    subscribers: [
      { name: 'failures', filterPolicy: { status: ['failed'] } },
      { name: 'webhook', filterPolicy: replayAwareFilterPolicy(undefined, WEBHOOK_KEY) },
    ],
  });
  for (const key of [WEBHOOK_KEY, EMAIL_KEY]) {
    const { QueueUrl } = await aws.clients().sqs.send(new CreateQueueCommand({ QueueName: `operator-sub-dlq-${key}` }));
    subscriptionDlq[key] = QueueUrl!;
  }
  localOutputs = {
    ...localStackOutputs(resources),
    ...Object.fromEntries(Object.entries(subscriptionDlq).map(([key, url]) => [`SubscriptionDeadLetterQueue${key}`, url])),
  };
  watch = await startLocalJobWatch({ alationBaseUrl: sim.url, tokenSecretValue: { refreshToken: 'operator-refresh-token', userId: 7 }, stackName: FAKE_STACK_NAME });
  // The stack's alarms, so doctor reads them (DescribeAlarms) as it would a deployed stack's.
  const cf = watch.aws.clients().cloudFormation;
  const { Stacks = [] } = await cf.send(new DescribeStacksCommand({ StackName: watch.stackName }));
  const { StackResourceSummaries = [] } = await cf.send(new ListStackResourcesCommand({ StackName: watch.stackName }));
  const alarm = `${FAKE_STACK_NAME}-DeadLetterQueueNotEmpty`;
  watch.aws.controlPlane.putAlarm({ name: alarm, state: 'OK', reason: 'no message in the DLQ' });
  watch.aws.controlPlane.putStack({
    name: watch.stackName,
    outputs: Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])),
    resources: [
      ...StackResourceSummaries.map((r) => ({ logicalId: r.LogicalResourceId!, physicalId: r.PhysicalResourceId!, type: r.ResourceType! })),
      { logicalId: 'DeadLetterQueueNotEmpty', physicalId: alarm, type: 'AWS::CloudWatch::Alarm' },
    ],
  });
}, 30_000);

/** The outputs the control-plane stand-in gives doctor for the local stack, as `describe-stacks` would. */
function outputsOf(local: LocalJobWatch): Record<string, string> {
  const r = local.resources;
  return {
    JobQueueUrl: r.jobQueue.url,
    JobQueueArn: r.jobQueue.arn,
    DeadLetterQueueUrl: r.deadLetterQueue.url,
    DeadLetterQueueArn: r.deadLetterQueue.arn,
    OutcomeTopicArn: r.outcomeTopic.arn,
    TokenSecretArn: r.tokenSecret.arn,
  };
}

/** Puts a message on a subscription DLQ as SNS would (the payload, its attributes); returns its message id. */
async function deadLetter(key: string, body: string): Promise<string> {
  const { MessageId } = await aws.clients().sqs.send(
    new SendMessageCommand({ QueueUrl: subscriptionDlq[key], MessageBody: body, MessageAttributes: { status: { DataType: 'String', StringValue: 'failed' } } }),
  );
  return MessageId!;
}

/** Every message on a queue, visible or not. */
async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await aws.clients().sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

/** The state of replay's claim on one dead letter, or undefined when there is none. */
async function claimState(key: string, messageId: string): Promise<string | undefined> {
  const { Item } = await aws.clients().dynamodb.send(
    new GetItemCommand({ TableName: resources.idempotencyTable.name, Key: { id: { S: `${REPLAY_LEDGER_KEY_PREFIX}${subscriptionDlq[key]}#${messageId}` } }, ConsistentRead: true }),
  );
  return Item?.state?.S;
}

afterAll(async () => {
  await watch?.stop();
  await aws?.stop();
  await sim?.stop();
});

describe('the documented operator policy, against every AWS call of the operator commands', () => {
  const runs: Record<string, () => Promise<CommandRun>> = {
    enqueue: () => {
      const deps = recordedDeps('enqueue');
      return runCommand((io, set) => enqueueCommand({ ...io, ...deps }, set), ['--stack', FAKE_STACK_NAME, '--id', '7']);
    },
    check: () => {
      recordedDeps('check');
      return runCommand(
        (io, set) => checkCommand({ ...io, env: {}, now: () => new Date(), secretTokens: (id, alation) => secretsManagerTokenProvider(id, clients.secretsManager, alation) }, set),
        ['--id', '7', '--base-url', sim.url, '--token-secret-id', resources.tokenSecret.arn],
      );
    },
    tail: () => {
      const deps = recordedDeps('tail');
      const publish = () => aws.clients().sns.send(new PublishCommand({ TopicArn: resources.outcomeTopic.arn, Message: JSON.stringify(outcome()) }));
      return runCommand((io, set) => tailCommand({ ...io, ...deps, onReady: () => void publish() }, set), ['--stack', FAKE_STACK_NAME, '--count', '1', '--timeout-seconds', '10']);
    },
    redrive: async () => {
      await aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: resources.deadLetterQueue.url, MessageBody: '{"jobId": 8}' }));
      const deps = recordedDeps('redrive');
      // fauxqs has no move tasks: StartMessageMoveTask is refused there, and receive/send/delete runs.
      return runCommand((io, set) => redriveCommand({ ...io, ...deps }, set), ['--stack', FAKE_STACK_NAME]);
    },
    doctor: () => {
      const log = logFor('doctor');
      const common = { region: watch.aws.region, credentials: watch.aws.credentials };
      const { endpoints } = watch.aws;
      const doctorClients = {
        cloudFormation: recordAwsCalls(new CloudFormationClient({ ...common, endpoint: endpoints.controlPlane }), log),
        lambda: recordAwsCalls(new LambdaClient({ ...common, endpoint: endpoints.controlPlane }), log),
        cloudWatch: recordAwsCalls(new CloudWatchClient({ ...common, endpoint: endpoints.controlPlane }), log),
        sqs: recordAwsCalls(new SQSClient({ ...common, endpoint: endpoints.sqs }), log),
        sns: recordAwsCalls(new SNSClient({ ...common, endpoint: endpoints.sns }), log),
        secretsManager: recordAwsCalls(new SecretsManagerClient({ ...common, endpoint: endpoints.secretsManager }), log),
      };
      return runCommand((io, set) => doctorCommand({ ...io, clients: () => doctorClients }, set), ['--stack', watch.stackName]);
    },
    replay: () => {
      const deps = recordedDeps('replay');
      // Every subscription DLQ of the stack, read from its outputs.
      return runCommand((io, set) => replayCommand({ ...io, ...deps }, set), ['--stack', FAKE_STACK_NAME]);
    },
    'notify-test': () => {
      const deps = recordedDeps('notify-test');
      // --verify: list the subscriptions, copy the filtered one to a temporary queue, publish, wait for it, remove the copy.
      return runCommand((io, set) => notifyTestCommand({ ...io, ...deps }, set), ['--stack', FAKE_STACK_NAME, '--status', 'failed', '--verify', '--verify-wait-seconds', '5']);
    },
  };

  it('runs replay: a dead letter on a subscription DLQ is published again, its claim kept, its DLQ emptied', async () => {
    const messageId = await deadLetter(WEBHOOK_KEY, '{"jobId":"9","status":"failed"}');

    const run = await runs.replay!();

    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Subscriber ${WEBHOOK_KEY}: replayed 1, already replayed 0, failed 0, in doubt 0`);
    const { Messages = [] } = await aws.clients().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.subscribers.webhook!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    expect(Messages.map((m) => [m.Body, m.MessageAttributes?.replayTo?.StringValue])).toEqual([['{"jobId":"9","status":"failed"}', WEBHOOK_KEY]]);
    expect(await claimState(WEBHOOK_KEY, messageId)).toBe('replayed');
    expect(await depth(subscriptionDlq[WEBHOOK_KEY]!)).toBe(0);
  }, 30_000);

  it('runs replay where an earlier run left a claim in doubt (left alone) and where SNS refuses a publish (claim given back)', async () => {
    const inDoubt = await deadLetter(EMAIL_KEY, '{"jobId":"10","status":"failed"}');
    await aws.clients().dynamodb.send(
      new PutItemCommand({
        TableName: resources.idempotencyTable.name,
        Item: { id: { S: `${REPLAY_LEDGER_KEY_PREFIX}${subscriptionDlq[EMAIL_KEY]}#${inDoubt}` }, state: { S: 'replaying' }, expiration: { N: '4102444800' } },
      }),
    );
    // SNS refuses an empty message: an envelope whose Message is empty is published as such.
    const refused = await deadLetter(EMAIL_KEY, JSON.stringify({ Type: 'Notification', Message: '' }));
    const deps = recordedDeps('replay (in doubt, refused)');

    const run = await runCommand((io, set) => replayCommand({ ...io, ...deps }, set), ['--stack', FAKE_STACK_NAME, '--target', EMAIL_KEY, '--json']);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.out).sources).toEqual([{ target: EMAIL_KEY, dlqUrl: subscriptionDlq[EMAIL_KEY], replayed: 0, alreadyReplayed: 0, inDoubt: [inDoubt], failed: 1 }]);
    expect(await claimState(EMAIL_KEY, inDoubt)).toBe('replaying');
    expect(await claimState(EMAIL_KEY, refused)).toBeUndefined();
    expect(await depth(subscriptionDlq[EMAIL_KEY]!)).toBe(2);
  }, 30_000);

  it.each(Object.keys(runs).filter((c) => c !== 'replay'))('runs %s to a successful end on the local stack', async (command) => {
    const run = await runs[command]!();
    expect({ code: run.code, err: run.err.replace(/^Tailing .*\n/, '') }, run.out).toEqual({ code: 0, err: '' });
  }, 30_000);

  it("runs redrive's message move task path too (SQS's own redrive, which fauxqs lacks)", async () => {
    const log = logFor('redrive (move task)');
    const arnOf: Record<string, string> = { [resources.deadLetterQueue.url]: resources.deadLetterQueue.arn, [resources.jobQueue.url]: resources.jobQueue.arn };
    const sqs = recordingSend(
      {
        send: async (command: object) => {
          if (command instanceof GetQueueAttributesCommand) return { Attributes: { QueueArn: arnOf[command.input.QueueUrl!] } };
          if (command instanceof StartMessageMoveTaskCommand) return { TaskHandle: 'task-1' };
          if (command instanceof ListMessageMoveTasksCommand) return { Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 }] };
          throw new Error(`unexpected ${command.constructor.name}`);
        },
      } as unknown as SQSClient,
      AwsService.sqs,
      log,
    );

    const report = await redrive(sqs, { from: resources.deadLetterQueue.url, to: resources.jobQueue.url, wait: true, pollIntervalMs: 1 });

    expect(report).toMatchObject({ path: 'message-move-task', moved: 1, taskStatus: 'COMPLETED' });
  });

  it('allows every call of every command', async () => {
    const refused: Record<string, string[]> = {};
    for (const [command, log] of calls) {
      expect(log.calls.length, `${command} made no AWS call`).toBeGreaterThan(0);
      const denied = refusals(await judge([log]));
      if (denied.length > 0) refused[command] = denied;
    }
    expect(refused).toEqual({});
  });

  it('grants nothing that no command uses', async () => {
    const unused = unusedGrants(grantsOf(operator, deployment.template), await judge([...calls.values()]));
    expect(explainUnused(unused, OPERATOR_GRANT_REASONS)).toEqual({ unexplained: [], staleReasons: [] });
  });

  it("confines replay to the subscription DLQs and to the ledger's own items", async () => {
    const map = new ResourceMap(deployment.template).bindOutputs(localOutputs);
    const request = (service: 'sqs' | 'dynamodb', operation: string, params: Record<string, unknown>) => iamRequestsOf({ service, operation, params }, map);
    const table = resources.idempotencyTable.name;

    const verdicts = await evaluate(
      operator,
      [
        // The job queue's name shares the stack name, not the subscription DLQ prefix.
        ...request('sqs', 'ReceiveMessage', { QueueUrl: resources.jobQueue.url }),
        ...request('sqs', 'DeleteMessage', { QueueUrl: resources.jobQueue.url }),
        // The function's own idempotency records, in the same table.
        ...request('dynamodb', 'DeleteItem', { TableName: table, Key: { id: 'job#7#successful' } }),
        ...request('dynamodb', 'UpdateItem', { TableName: table, Key: { id: { S: 'job#7#successful' } } }),
        // An item operation that names no key.
        ...request('dynamodb', 'UpdateItem', { TableName: table }),
      ],
      deployment.template,
    );

    expect(verdicts.map((v) => [v.request.via, v.request.label, v.request.context[LEADING_KEYS] ?? 'no key', v.decision])).toEqual([
      ['ReceiveMessage', 'AlationJobWatchJobQueue', 'no key', 'ImplicitlyDenied'],
      ['DeleteMessage', 'AlationJobWatchJobQueue', 'no key', 'ImplicitlyDenied'],
      ['DeleteItem', 'AlationJobWatchIdempotencyTable', ['job#7#successful'], 'ImplicitlyDenied'],
      ['UpdateItem', 'AlationJobWatchIdempotencyTable', ['job#7#successful'], 'ImplicitlyDenied'],
      ['UpdateItem', 'AlationJobWatchIdempotencyTable', 'no key', 'ImplicitlyDenied'],
    ]);
  });

  it('is the policy docs/operating.md shows', () => {
    const page = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
    const shown = /## Operator policy[\s\S]*?```json\n([\s\S]*?)```/.exec(page)?.[1];

    expect(JSON.parse(shown ?? 'null')).toEqual(JSON.parse(readFileSync(OPERATOR_POLICY_FILE, 'utf8')));
  });

  it('covers every command of the CLI: run above, or listed as making no AWS call', async () => {
    let help = '';
    await main(['node', 'alation-job-watch', '--help'], { write: (t) => (help += t), writeError: (t) => (help += t) });
    const commands = [...help.split('Commands:')[1]!.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);

    expect(commands.length).toBeGreaterThan(3);
    expect(commands.filter((c) => !(c in runs) && !(c in NO_AWS_COMMANDS) && !(c in NOT_YET_PROVEN))).toEqual([]);
    // A command listed as not yet proven that no longer exists, or is now run, leaves the list.
    expect(Object.keys(NOT_YET_PROVEN).filter((c) => !commands.includes(c) || c in runs)).toEqual([]);
  });
});
