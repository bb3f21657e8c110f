import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
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
    expect(await publisher(sns).publish(o)).toEqual({
      published: true,
      messageId: 'sns-1',
      stored: { status: o.status, hasErrors: o.hasErrors, notificationId: o.notificationId },
      snsAttempts: 1,
    });

    const n = buildNotification(o);
    expect(sns.sent).toEqual([
      { TopicArn: TOPIC_ARN, Subject: n.Subject, Message: n.Message, MessageStructure: 'json', MessageAttributes: n.MessageAttributes },
    ]);
  });

  it('suppresses a second publish for the same job, from any poll chain', async () => {
    const sns = recordingSns();
    const chainA = publisher(sns);
    const chainB = publisher(sns); // another execution environment
    const first = outcome({ job: { id: 102 } });
    expect(await chainA.publish(first)).toMatchObject({ published: true, messageId: 'sns-1' });
    // The duplicate learns what was published for the job (the chain verdict lists that status).
    expect(await chainB.publish(outcome({ job: { id: 102 }, status: 'failed' }))).toEqual({
      published: false,
      messageId: 'sns-1',
      stored: { status: first.status, hasErrors: first.hasErrors, notificationId: first.notificationId },
    });
    expect(sns.sent).toHaveLength(1);
  });

  it('releases the record when the publish fails, so the retry publishes', async () => {
    const sns = recordingSns(1);
    const p = publisher(sns);
    await expect(p.publish(outcome({ job: { id: 103 } }))).rejects.toThrow();
    expect(await p.publish(outcome({ job: { id: 103 } }))).toMatchObject({ published: true, messageId: 'sns-1' });
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

/** Reads a job's idempotency record as Powertools keys it: prefix # base64(md5(JSON of the key)). */
async function inProgressExpiry(jobKey: string): Promise<number | undefined> {
  const id = `alation-job-watch#outcome#${createHash('md5').update(JSON.stringify(jobKey)).digest('base64')}`;
  const { Item } = await aws.clients().dynamodb.send(new GetItemCommand({ TableName: resources.idempotencyTable.name, Key: { id: { S: id } } }));
  return Item?.in_progress_expiration?.N === undefined ? undefined : Number(Item.in_progress_expiration.N);
}

describe('the idempotency record of a publish', () => {
  it('expires with the invocation that publishes, also when invocations publish at the same time', async () => {
    const sns = recordingSns();
    // Publish slowed until both have written their in-progress record: each must carry its own expiry.
    const slow = { ...sns, send: async (command: PublishCommand) => (await new Promise((r) => setTimeout(r, 50)), sns.send(command)) };
    const q = createSnsOutcomePublisher({ sns: slow as never, topicArn: TOPIC_ARN, dynamodb: aws.clients().dynamodb, tableName: resources.idempotencyTable.name });
    const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as never;
    const before = Date.now();

    await Promise.all([q.publish(outcome({ job: { id: 106 } }), context(600_000)), q.publish(outcome({ job: { id: 107 } }), context(5_000))]);
    // The in-progress expiry written with each record stays on it once completed.
    expect(await inProgressExpiry('id:106')).toBeGreaterThanOrEqual(before + 600_000);
    expect(await inProgressExpiry('id:107')).toBeLessThan(before + 10_000);
  });
});
