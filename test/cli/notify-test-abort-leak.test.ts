/**
 * Found by an attacker's review: `notify-test --verify` promises to remove what it creates, Ctrl-C included. Copies
 * remembers a subscription only once `Subscribe` has ANSWERED (shared/cli/notify-test.ts,
 * `if (SubscriptionArn) this.subscriptions.push(...)`). When Ctrl-C (or a lost answer / SDK
 * timeout) lands after SNS created the subscription but before its answer is read, the SDK
 * call rejects, `removeAll()` deletes the queue and reports no leftovers, and a live
 * subscription stays on the production outcome topic, pointing at a deleted queue — every
 * real outcome then fails delivery to it (and feeds the subscription-DLQ alarm).
 */
import { EventEmitter } from 'node:events';
import { ListSubscriptionsByTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyTestCommand, NotifyTestExitCode } from '../../shared/cli/notify-test';
import { provisionJobWatch, startLocalAws, type JobWatchResources, type LocalAws } from '../../shared/local/aws';
import { runCommand, stackWithOutputs } from '../cli/operator-helpers';

let aws: LocalAws;
let resources: JobWatchResources;
beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'token', prefix: 'attack-notify', subscribers: [{ name: 'failures', filterPolicy: { status: ['failed'] } }] });
});
afterAll(() => aws?.stop());

const subscriptions = async () =>
  ((await aws.clients().sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.outcomeTopic.arn }))).Subscriptions ?? []).map((s) => s.Endpoint);

describe('notify-test --verify interrupted while a Subscribe answer is in flight', () => {
  it('leaves no subscription behind on the outcome topic', async () => {
    const before = await subscriptions();
    const signals = new EventEmitter();
    const real = aws.clients().sns;
    // The real fauxqs client; Ctrl-C arrives after SNS acted on Subscribe, before its answer is read.
    const sns = {
      send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
        const answer = await (real.send as (c: unknown) => Promise<unknown>)(command);
        if (command instanceof SubscribeCommand) {
          signals.emit('SIGINT', 'SIGINT');
          if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
        }
        return answer;
      },
    } as unknown as SNSClient;

    const result = await runCommand(
      (io, set) => notifyTestCommand({ ...io, sns: () => sns, sqs: () => aws.clients().sqs, cloudFormation: () => stackWithOutputs({ OutcomeTopicArn: resources.outcomeTopic.arn }), signals }, set),
      ['--stack', 'watch', '--status', 'failed', '--verify', '--verify-wait-seconds', '2'],
    );

    expect(result.code).toBe(NotifyTestExitCode.interrupted);
    expect(result.err).not.toMatch(/delete by hand/); // it believes everything was removed
    expect(await subscriptions(), 'subscriptions on the outcome topic after the run').toEqual(before);
  }, 30_000);
});
