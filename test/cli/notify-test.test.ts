/**
 * `notify-test` through a real (fauxqs) topic with filtered subscriptions: the test outcome is
 * valid and marked, routes as a real one would, and `--verify` leaves nothing behind.
 */
import { EventEmitter } from 'node:events';
import { ListSubscriptionsByTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyTestCommand, NotifyTestExitCode, type NotifyTestReport } from '../../shared/cli/notify-test';
import { OutcomeSchema } from '../../shared/contracts/outcome';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { drainQueue, toOutcomes } from '../../shared/local/outcome-collector';
import { buildNotification, messageAttributes, TEST_EMAIL_HEADER } from '../../shared/notify/notification';
import { buildTestOutcome } from '../../shared/notify/test-outcome';
import { runCommand, stackWithOutputs } from './operator-helpers';

let aws: LocalAws;
let resources: JobWatchResources;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, {
    tokenSecretValue: 'token',
    prefix: 'notify-test',
    subscribers: [
      { name: 'failures', filterPolicy: { status: ['failed'] } },
      { name: 'qli-only', filterPolicy: { kind: ['qli'] } },
      { name: 'no-tests', filterPolicy: { test: [{ exists: false }] } },
    ],
  });
  await aws.clients().sns.send(new SubscribeCommand({ TopicArn: resources.outcomeTopic.arn, Protocol: 'email', Endpoint: 'oncall@example.com' }));
});
afterAll(() => aws?.stop());

const run = (args: string[], signals?: EventEmitter) =>
  runCommand(
    (io, set) => notifyTestCommand({ ...io, sns: () => aws.clients().sns, sqs: () => aws.clients().sqs, cloudFormation: () => stackWithOutputs({ OutcomeTopicArn: resources.outcomeTopic.arn }), ...(signals ? { signals } : {}) }, set),
    args,
  );

const temporaryQueues = async () => ((await aws.clients().sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'ajw-notify-test' }))).QueueUrls ?? []).length;
const subscriptionCount = async () => ((await aws.clients().sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.outcomeTopic.arn }))).Subscriptions ?? []).length;

describe('the test outcome', () => {
  it('is a valid outcome v1 marked test: true, with the test attribute and a marked subject and email', () => {
    const outcome = buildTestOutcome({ status: 'failed', kind: 'qli', now: new Date('2026-11-29T00:00:00Z') });

    const notification = buildNotification(outcome);

    expect(OutcomeSchema.parse(outcome)).toMatchObject({ test: true, status: 'failed', hasErrors: true, kind: 'qli' });
    // The attributes of a real outcome of that status and kind, plus `test`.
    const { test: _test, ...real } = outcome;
    expect(notification.MessageAttributes).toEqual({ ...messageAttributes(real), test: { DataType: 'String', StringValue: 'true' } });
    expect(notification.MessageAttributes).toMatchObject({ status: { StringValue: 'failed' }, hasErrors: { StringValue: 'true' }, kind: { StringValue: 'qli' } });
    expect(notification.Subject).toMatch(/^\[TEST\] Alation job .* failed$/);
    expect((JSON.parse(notification.Message) as { email: string }).email.startsWith(TEST_EMAIL_HEADER)).toBe(true);
  });
});

describe('notify-test --verify on filtered subscriptions', () => {
  it('reports which subscriptions receive a failed lineage outcome, delivers it for real, and removes its copies', async () => {
    const before = await subscriptionCount();

    const result = await run(['--stack', 'watch', '--status', 'failed', '--kind', 'lineage', '--verify', '--verify-wait-seconds', '3', '--json']);

    expect(result.code).toBe(NotifyTestExitCode.successful);
    const report = JSON.parse(result.out) as NotifyTestReport;
    const verdicts = Object.fromEntries(report.subscriptions!.map((s) => [s.endpoint.split(':').pop(), s.verdict]));
    expect(verdicts).toEqual({
      'notify-test-outcomes': 'receives',
      'notify-test-failures': 'receives',
      'notify-test-qli-only': 'filtered',
      'notify-test-no-tests': 'filtered',
      'oncall@example.com': 'pending',
    });
    expect(report.leftovers).toEqual([]);
    expect(await temporaryQueues()).toBe(0);
    expect(await subscriptionCount()).toBe(before);
    const delivered = await drainQueue(aws.clients().sqs, resources.outcomeQueue.url, { until: (r) => r.length >= 1, timeoutMs: 3000 });
    expect(toOutcomes(delivered)).toEqual([expect.objectContaining({ notificationId: report.notificationId, test: true, status: 'failed', kind: 'lineage' })]);
    expect(delivered[0]!.attributes).toMatchObject({ test: 'true', status: 'failed', kind: 'lineage' });
  });

  it('routes a successful qli outcome past the failures filter to the qli subscriber', async () => {
    const result = await run(['--stack', 'watch', '--status', 'successful', '--kind', 'qli', '--verify', '--verify-wait-seconds', '3']);

    expect(result.out).toMatch(/✓ sqs \S+:notify-test-qli-only: only outcomes where kind is qli: would receive it/);
    expect(result.out).toMatch(/✗ sqs \S+:notify-test-failures: only outcomes where status is failed: would not receive it/);
    expect(result.out).toMatch(/\? email oncall@example\.com: .*pending confirmation/);
    expect(result.out).toContain('The temporary copies are removed.');
  });

  it('removes its copies and exits 130 when stopped with Ctrl-C while waiting', { timeout: 20_000 }, async () => {
    const signals = new EventEmitter();
    // Ctrl-C once the copies exist and the command waits for deliveries it will never get.
    const interrupt = (async () => {
      while ((await temporaryQueues()) < 4) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      signals.emit('SIGINT', 'SIGINT');
    })();

    const result = await run(['--stack', 'watch', '--status', 'successful', '--verify', '--verify-wait-seconds', '30'], signals);
    await interrupt;

    expect(result.code).toBe(NotifyTestExitCode.interrupted);
    expect(await temporaryQueues()).toBe(0);
  });
});
