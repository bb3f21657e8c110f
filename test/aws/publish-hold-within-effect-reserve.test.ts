/**
 * Found by an attacker's review: the gate's hold (up to `DEFAULT_MAX_WAIT_MS`) was not in the
 * publish effect's time reserve. A batched publish is three worst AWS calls (idempotency
 * PutItem, SNS publish, UpdateItem) plus the hold; started with exactly the reserve left, with
 * every call at its worst, it ended after the function timeout: the cut fell after SNS took the
 * message and before the idempotency record was marked complete, the "published twice" window
 * the reserve exists to close. The function's reserves (`functionTimeReserves`) now hold it.
 *
 * Unit level (client mocks via middleware that answer after the worst call time), fake timers:
 * the real publisher, the real Powertools idempotency handler, the real gate and time budget.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWS_CALL_WORST_MS } from '../../shared/aws/client-timeouts';
import { createBatchGate } from '../../shared/aws/invocation-gate';
import { functionTimeReserves } from '../../shared/aws/dependencies';
import { createSnsOutcomePublisher, type OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../shared/local/aws';
import { startRecordTime } from '../../shared/watch/time-budget';
import { outcome } from '../support/outcomes';

/** Every AWS call, by command, and when (fake clock) it answered. */
let calls: { command: string; at: number }[];

/** A client whose every call takes the worst time one call may take, then answers `output`. */
function worstCase<C extends DynamoDBClient | SNSClient>(client: C, output: Record<string, unknown>): C {
  client.middlewareStack.add(
    (_next, context) => async () => {
      await new Promise((resolve) => setTimeout(resolve, AWS_CALL_WORST_MS));
      calls.push({ command: context.commandName ?? 'unknown', at: Date.now() });
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { step: 'initialize', name: 'worstCaseCall' },
  );
  return client;
}

const endpoint = 'http://127.0.0.1:9';
/** The reserves the deployed function uses. */
const reserves = functionTimeReserves(10_000);

/**
 * One record that reached its publish with exactly the effect reserve left (its checks used the
 * rest), while a neighbour record of the same invocation is still checking Alation. Answers the
 * fake time the idempotency record was marked complete, and the function's deadline.
 */
async function publishWithReserveLeft(bind: (publisher: OutcomePublisher) => OutcomePublisher) {
  const start = Date.now();
  const deadline = start + reserves.startMs;
  const remaining = () => deadline - Date.now();
  const context = { getRemainingTimeInMillis: remaining } as Context;
  const time = startRecordTime(remaining, reserves);
  await vi.advanceTimersByTimeAsync(reserves.startMs - reserves.effectMs - 1);
  time.assertTimeForEffect('publish'); // passes: the reserve is left, as process-record checks

  const publisher = createSnsOutcomePublisher({
    sns: worstCase(new SNSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint }), { MessageId: 'sns-1' }),
    topicArn: 'arn:aws:sns:us-east-1:000000000000:outcomes',
    dynamodb: worstCase(new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint }), {}),
    tableName: 'idempotency',
  });
  const publishing = bind(publisher).publish(outcome(), context);
  await vi.advanceTimersByTimeAsync(reserves.effectMs + 1_000);
  await expect(publishing).resolves.toMatchObject({ published: true });
  time.end();
  const completed = calls.find((c) => c.command === 'UpdateItemCommand');
  if (!completed) throw new Error('the idempotency record was never marked complete');
  return { completedAt: completed.at, deadline, calls: calls.map((c) => c.command) };
}

describe('a publish started with the effect reserve left, against the record time budget', () => {
  beforeEach(() => {
    calls = [];
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => vi.useRealTimers());

  it('finishes an unbatched publish started with the effect reserve left before the function timeout (control)', async () => {
    const { completedAt, deadline, calls: made } = await publishWithReserveLeft((p) => p);
    expect(made).toEqual(['PutItemCommand', 'PublishCommand', 'UpdateItemCommand']);
    expect(completedAt).toBeLessThanOrEqual(deadline);
  });

  it('finishes a batched publish started with the effect reserve left before the function timeout', async () => {
    const gate = createBatchGate();
    gate.recordStarted(); // this record
    gate.recordStarted(); // its neighbour, still on a slow Alation check: the publish is held for it
    const { completedAt, deadline, calls: made } = await publishWithReserveLeft((p) => {
      const bound = p.forInvocation?.(gate);
      if (!bound) throw new Error('the SNS publisher batches per invocation');
      return bound;
    });
    expect(made).toEqual(['PutItemCommand', 'PublishCommand', 'UpdateItemCommand']);
    // Before the hold was reserved: marked complete DEFAULT_MAX_WAIT_MS - 1 ms after the timeout.
    expect(completedAt - deadline).toBeLessThanOrEqual(0);
  });
});
