import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deferredOutcomePublisher } from '../../shared/aws/deferred-outcome-publisher';
import { createSnsOutcomePublisher, type OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { JobWatchError } from '../../shared/errors';
import type { Outcome } from '../../shared/contracts/outcome';
import { outcome } from '../support/outcomes';

/** A publisher that records what it was given. */
function recordingPublisher() {
  const published: Outcome[] = [];
  const contexts: string[] = [];
  const publisher: OutcomePublisher = {
    publish: async (o) => {
      published.push(o);
      return { published: true, messageId: `m-${published.length}` };
    },
    registerLambdaContext: (context, budgetMs) => contexts.push(`${context.awsRequestId}/${budgetMs}`),
  };
  return { publisher, published, contexts };
}

/** A context whose remaining time is read from `remaining`, so a test can let time pass. */
const context = (awsRequestId: string, remaining = { ms: 30_000 }) =>
  ({ awsRequestId, getRemainingTimeInMillis: () => remaining.ms }) as unknown as Context;

describe('deferredOutcomePublisher', () => {
  it('loads the real publisher on the first publish, once, even for concurrent records', async () => {
    const real = recordingPublisher();
    let loads = 0;
    const publisher = deferredOutcomePublisher(async () => {
      loads += 1;
      return real.publisher;
    });
    publisher.registerLambdaContext(context('invocation-1'));
    expect(loads).toBe(0);

    const results = await Promise.all([publisher.publish(outcome({ job: { id: 1 } })), publisher.publish(outcome({ job: { id: 2 } }))]);
    await publisher.publish(outcome({ job: { id: 3 } }));

    expect(loads).toBe(1);
    expect(results.map((r) => r.messageId).sort()).toEqual(['m-1', 'm-2']);
    expect(real.published.map((o) => o.job)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('hands the real publisher the context of the invocation that loads it, with the budget it started with, and every later one', async () => {
    const real = recordingPublisher();
    const publisher = deferredOutcomePublisher(async () => real.publisher);
    const clock = { ms: 60_000 };
    publisher.registerLambdaContext(context('invocation-1'));
    publisher.registerLambdaContext(context('invocation-2', clock));
    clock.ms = 2_000; // most of the invocation went by before its first outcome
    await publisher.publish(outcome());
    publisher.registerLambdaContext(context('invocation-3'));

    expect(real.contexts).toEqual(['invocation-2/60000', 'invocation-3/30000']);
  });

  it('keeps the publish guard of the real publisher when it is loaded with little time left', async () => {
    const sent: unknown[] = [];
    const publisher = deferredOutcomePublisher(async () =>
      createSnsOutcomePublisher({
        sns: { send: async (command: unknown) => (sent.push(command), { MessageId: 'm' }) } as never,
        topicArn: 'arn:aws:sns:us-east-1:123456789012:outcomes',
        dynamodb: new DynamoDBClient({ region: 'us-east-1' }), // never reached: the guard refuses first
        tableName: 'idempotency',
      }),
    );
    const clock = { ms: 60_000 };
    publisher.registerLambdaContext(context('invocation-1', clock));
    clock.ms = 500;

    await expect(publisher.publish(outcome())).rejects.toMatchObject({
      retryable: true,
      message: '500 ms left before the function timeout: too little to publish safely; the record is retried',
    });
    expect(sent).toEqual([]);
  });

  it('fails a publish whose load failed with a retryable error that says so, and loads again next time', async () => {
    const real = recordingPublisher();
    let loads = 0;
    const publisher = deferredOutcomePublisher(async () => {
      loads += 1;
      if (loads === 1) throw new Error("Cannot find module './publish-path-X.mjs'");
      return real.publisher;
    });

    const failure = await publisher.publish(outcome()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JobWatchError);
    expect(failure).toMatchObject({ retryable: true, message: "could not load the outcome publisher: Cannot find module './publish-path-X.mjs'" });

    await expect(publisher.publish(outcome())).resolves.toEqual({ published: true, messageId: 'm-1' });
    expect(loads).toBe(2);
  });
});
