import type { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsOutcomePublisher } from '../../shared/aws/outcome-publisher';
import { startLocalAws, provisionJobWatch, type LocalAws, type JobWatchResources } from '../../shared/local/aws';
import { buildNotification } from '../../shared/notify/notification';
import { outcome } from '../support/outcomes';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:outcomes';

let aws: LocalAws;
let resources: JobWatchResources;

beforeAll(async () => {
  aws = await startLocalAws();
  resources = await provisionJobWatch(aws, { tokenSecretValue: 'unused' });
});
afterAll(() => aws.stop());

function recordingSns(failures = 0) {
  const sent: PublishCommand['input'][] = [];
  let toFail = failures;
  return {
    sent,
    send: async (command: PublishCommand) => {
      if (toFail-- > 0) throw new Error('SNS unavailable');
      sent.push(command.input);
      return { MessageId: `sns-${sent.length}` };
    },
  };
}

describe('SNS outcome publisher, idempotent on DynamoDB (dynalite)', () => {
  const publisher = (sns: ReturnType<typeof recordingSns>) =>
    createSnsOutcomePublisher({ sns: sns as never, topicArn: TOPIC_ARN, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name });

  it('publishes the exact notification once', async () => {
    const sns = recordingSns();
    const o = outcome({ job: { id: 101 } });
    expect(await publisher(sns).publish(o)).toEqual({ published: true, messageId: 'sns-1' });

    const n = buildNotification(o);
    expect(sns.sent).toEqual([
      { TopicArn: TOPIC_ARN, Subject: n.Subject, Message: n.Message, MessageStructure: 'json', MessageAttributes: n.MessageAttributes },
    ]);
  });

  it('suppresses a second publish for the same job, from any poll chain', async () => {
    const sns = recordingSns();
    const chainA = publisher(sns);
    const chainB = publisher(sns); // another execution environment
    expect(await chainA.publish(outcome({ job: { id: 102 } }))).toEqual({ published: true, messageId: 'sns-1' });
    expect(await chainB.publish(outcome({ job: { id: 102 }, status: 'failed' }))).toEqual({ published: false, messageId: 'sns-1' });
    expect(sns.sent).toHaveLength(1);
  });

  it('releases the record when the publish fails, so the retry publishes', async () => {
    const sns = recordingSns(1);
    const p = publisher(sns);
    await expect(p.publish(outcome({ job: { id: 103 } }))).rejects.toThrow();
    expect(await p.publish(outcome({ job: { id: 103 } }))).toEqual({ published: true, messageId: 'sns-1' });
    expect(sns.sent).toHaveLength(1);
  });

  it('keeps jobs apart: an id and a name that look alike are two jobs', async () => {
    const sns = recordingSns();
    const p = publisher(sns);
    await p.publish(outcome({ job: { id: 104 } }));
    await p.publish(outcome({ job: { name: '104' } }));
    expect(sns.sent).toHaveLength(2);
  });
});

describe('publishing close to the function timeout', () => {
  it('refuses to start a publish with under a second left, so the record is retried instead of risking a duplicate', async () => {
    const sns = recordingSns();
    const publisher = createSnsOutcomePublisher({ sns: sns as never, topicArn: TOPIC_ARN, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name });
    const remaining = [30_000]; // at registration: the invocation's whole budget
    publisher.registerLambdaContext({ getRemainingTimeInMillis: () => remaining.shift() ?? 400 } as never);

    await expect(publisher.publish(outcome({ job: { id: 105 } }))).rejects.toThrow(
      '400 ms left before the function timeout: too little to publish safely; the record is retried',
    );
    expect(sns.sent).toEqual([]);

    publisher.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as never);
    expect(await publisher.publish(outcome({ job: { id: 105 } }))).toEqual({ published: true, messageId: 'sns-1' });
  });
});
