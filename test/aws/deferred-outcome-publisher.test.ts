import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deferredOutcomePublisher } from '../../shared/aws/deferred-outcome-publisher';
import { createBatchGate, type BatchGate } from '../../shared/aws/invocation-gate';
import type { OutcomePublisher } from '../../shared/aws/outcome-publisher';
import { JobWatchError } from '../../shared/errors';
import type { Outcome } from '../../shared/contracts/outcome';
import { outcome } from '../support/outcomes';

/** A publisher that records what it was given. */
function recordingPublisher() {
  const published: Outcome[] = [];
  const contexts: string[] = [];
  const publisher: OutcomePublisher = {
    publish: async (o, lambdaContext) => {
      published.push(o);
      contexts.push(lambdaContext?.awsRequestId ?? '(none)');
      return { published: true, messageId: `m-${published.length}` };
    },
  };
  return { publisher, published, contexts };
}

const context = (awsRequestId: string) => ({ awsRequestId, getRemainingTimeInMillis: () => 30_000 }) as unknown as Context;

describe('deferredOutcomePublisher', () => {
  it('loads the real publisher on the first publish, once, even for concurrent records', async () => {
    const real = recordingPublisher();
    let loads = 0;
    const publisher = deferredOutcomePublisher(async () => {
      loads += 1;
      return real.publisher;
    });
    expect(loads).toBe(0);

    const results = await Promise.all([publisher.publish(outcome({ job: { id: 1 } })), publisher.publish(outcome({ job: { id: 2 } }))]);
    await publisher.publish(outcome({ job: { id: 3 } }));

    expect(loads).toBe(1);
    expect(results.map((r) => r.messageId).sort()).toEqual(['m-1', 'm-2']);
    expect(real.published.map((o) => o.job)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('hands the real publisher the context of the invocation of each publish, so concurrent invocations keep theirs', async () => {
    const real = recordingPublisher();
    const publisher = deferredOutcomePublisher(async () => real.publisher);

    await Promise.all([
      publisher.publish(outcome({ job: { id: 1 } }), context('invocation-1')),
      publisher.publish(outcome({ job: { id: 2 } }), context('invocation-2')),
    ]);
    await publisher.publish(outcome({ job: { id: 3 } }), context('invocation-3'));

    expect(real.contexts).toEqual(['invocation-1', 'invocation-2', 'invocation-3']);
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

  describe('for one invocation (forInvocation)', () => {
    /** A real publisher that can batch: each invocation's gate gets a publisher of its own, recorded. */
    function batchingPublisher() {
      const real = recordingPublisher();
      const gates: BatchGate[] = [];
      const publisher: OutcomePublisher = {
        ...real.publisher,
        forInvocation: (gate) => {
          gates.push(gate);
          return real.publisher;
        },
      };
      return { ...real, publisher, gates };
    }

    it('loads the real publisher on the first publish and binds it to the invocation once, however many records publish', async () => {
      const real = batchingPublisher();
      let loads = 0;
      const publisher = deferredOutcomePublisher(async () => {
        loads += 1;
        return real.publisher;
      });
      const gate = createBatchGate();
      const bound = publisher.forInvocation?.(gate);
      expect(loads).toBe(0); // an invocation that publishes nothing loads nothing
      await Promise.all([1, 2, 3].map((id) => bound?.publish(outcome({ job: { id } }), context('invocation-1'))));
      expect({ loads, gates: real.gates, published: real.published.length }).toEqual({ loads: 1, gates: [gate], published: 3 });

      // The next invocation gets its own binding to its own gate.
      const next = createBatchGate();
      await publisher.forInvocation?.(next).publish(outcome({ job: { id: 4 } }), context('invocation-2'));
      expect(real.gates).toEqual([gate, next]);
    });

    it("does not keep a failed load: the invocation's next publish loads again", async () => {
      const real = batchingPublisher();
      let loads = 0;
      const publisher = deferredOutcomePublisher(async () => {
        loads += 1;
        if (loads === 1) throw new Error('Cannot find module');
        return real.publisher;
      });
      const bound = publisher.forInvocation?.(createBatchGate());
      await expect(bound?.publish(outcome())).rejects.toBeInstanceOf(JobWatchError);
      await expect(bound?.publish(outcome())).resolves.toEqual({ published: true, messageId: 'm-1' });
      expect(loads).toBe(2);
    });
  });
});

