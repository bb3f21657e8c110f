import { PublishCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { tailCommand } from '../../shared/cli/tail';
import type { Outcome } from '../../shared/contracts/outcome';
import { localJobWatch, runCommand, stackWithOutputs } from './operator-helpers';

const local = localJobWatch('tail');

function outcome(id: number, status: Outcome['status']): Outcome {
  return {
    schema: 'alation.job-outcome/v1',
    notificationId: `n-${id}`,
    job: { id },
    kind: 'lineage',
    context: null,
    status,
    hasErrors: status !== 'successful',
    message: null,
    durationSeconds: null,
    finishedAt: null,
    result: { updatedObjects: 2, numberReceived: 2, errorObjects: [], errorObjectCount: 0, errorsIgnored: null, error: null, newEventsIngested: null, previouslyIngestedSkipped: null, text: null, data: null, truncated: false },
    followUpJobIds: [],
    polls: 3,
    firstSeenAt: '2026-01-01T00:00:00.000Z',
    publishedAt: '2026-01-01T00:00:05.000Z',
    lastStatus: status,
    lastError: null,
  };
}

/** Publishes as the handler does: JSON body, `status` attribute for filter policies. */
async function publish(o: Outcome) {
  await local.aws.clients().sns.send(
    new PublishCommand({ TopicArn: local.resources.outcomeTopic.arn, Message: JSON.stringify(o), MessageAttributes: { status: { DataType: 'String', StringValue: o.status } } }),
  );
}

const tail = (args: string[], extra: { signals?: EventEmitter } = {}) =>
  runCommand(
    (io, set) =>
      tailCommand(
        {
          ...io,
          sqs: () => local.aws.clients().sqs,
          sns: () => local.aws.clients().sns,
          cloudFormation: () => stackWithOutputs({ OutcomeTopicArn: local.resources.outcomeTopic.arn }),
          ...(extra.signals ? { signals: extra.signals } : {}),
          onReady: () => void publish(outcome(1, 'failed')).then(() => publish(outcome(2, 'successful'))),
        },
        set,
      ),
    args,
  );

async function tailQueues() {
  const { QueueUrls = [] } = await local.aws.clients().sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'alation-job-watch-tail-' }));
  return QueueUrls;
}

describe('alation-job-watch tail', () => {
  it('prints each published outcome as a JSON line and removes its queue afterwards', async () => {
    const run = await tail(['--stack', 'AlationJobWatch', '--count', '2', '--timeout-seconds', '15', '--json']);

    expect(run.code).toBe(0);
    expect(run.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([outcome(1, 'failed'), outcome(2, 'successful')]);
    expect(await tailQueues()).toEqual([]);
  });

  it('only prints the statuses asked for, readably', async () => {
    const run = await tail(['--topic-arn', local.resources.outcomeTopic.arn, '--status', 'failed', '--count', '1', '--timeout-seconds', '15']);

    expect(run.code).toBe(0);
    expect(run.out).toBe('2026-01-01T00:00:05.000Z  #1  failed  polls 3  2/2 updated  errors: yes  kind lineage\n');
  });

  it('stops on SIGINT, removing its queue and subscription', async () => {
    const signals = new EventEmitter();
    setTimeout(() => signals.emit('SIGINT'), 1500);

    const run = await tail(['--topic-arn', local.resources.outcomeTopic.arn, '--status', 'not_found'], { signals });

    expect(run.code).toBe(0);
    expect(run.out).toBe('');
    expect(await tailQueues()).toEqual([]);
  });
});
