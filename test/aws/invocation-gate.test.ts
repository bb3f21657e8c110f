import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatchGate } from '../../shared/aws/invocation-gate';

/** A batcher that counts its flushes, joined to the gate. */
function joinCounting(gate: ReturnType<typeof createBatchGate>) {
  const batcher = { flushes: 0, member: gate.join(() => (batcher.flushes += 1)) };
  return batcher;
}

describe('the batch gate of one invocation', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds calls while a running record is not waiting, and lets every batcher go once all wait', () => {
    const gate = createBatchGate();
    const sqs = joinCounting(gate);
    const sns = joinCounting(gate);
    gate.recordStarted();
    gate.recordStarted();
    gate.recordStarted();
    sqs.member.held(); // a re-send
    sns.member.held(); // a publish
    expect([sqs.flushes, sns.flushes]).toEqual([0, 0]);
    sns.member.held(); // the third record publishes too: all three wait
    expect([sqs.flushes, sns.flushes]).toEqual([1, 1]);
  });

  it('lets the waiting calls go when the record they waited for ends without a batched call', () => {
    const gate = createBatchGate();
    const sns = joinCounting(gate);
    gate.recordStarted();
    gate.recordStarted();
    sns.member.held();
    expect(sns.flushes).toBe(0);
    gate.recordEnded(); // the other record failed, or re-sent nothing
    expect(sns.flushes).toBe(1);
  });

  it('holds a call no longer than maxWaitMs for a slow neighbour', () => {
    const gate = createBatchGate({ maxWaitMs: 25 });
    const sns = joinCounting(gate);
    gate.recordStarted();
    gate.recordStarted();
    sns.member.held();
    vi.advanceTimersByTime(24);
    expect(sns.flushes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(sns.flushes).toBe(1);
  });

  it('counts a settled call as no longer waiting, so a later call is held for the records still busy', () => {
    const gate = createBatchGate();
    const sns = joinCounting(gate);
    gate.recordStarted();
    gate.recordStarted();
    sns.member.held();
    sns.member.held();
    expect(sns.flushes).toBe(1);
    sns.member.settled(); // the first record's publish came back; it goes on to its chain verdict
    sns.member.settled();
    sns.member.held();
    expect(sns.flushes).toBe(1); // the second record is still running (not waiting)
    vi.advanceTimersByTime(25);
    expect(sns.flushes).toBe(2);
  });

  it('does not hold a call made outside any started record', () => {
    const gate = createBatchGate();
    const sqs = joinCounting(gate);
    sqs.member.held();
    expect(sqs.flushes).toBe(1);
  });
});
