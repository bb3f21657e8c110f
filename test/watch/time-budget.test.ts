import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionTimeReserves } from '../../shared/aws/dependencies';
import { FUNCTION_DEFAULTS } from '../../shared/config';
import { TimeBudgetError } from '../../shared/errors';
import { recordTimeReserves, reservesFor, startRecordTime, untilAborted } from '../../shared/watch/time-budget';

describe('recordTimeReserves', () => {
  it('reserves three Alation calls, a secret read and a three-call publish held at the batch gate before a record starts', () => {
    expect(recordTimeReserves({ alationTimeoutMs: 10_000, awsCallMs: 5_000, heldMs: 25 })).toEqual({
      effectMs: 15_025,
      startMs: 3 * 10_000 + 5_000 + 15_025,
    });
  });

  it('fits the default function timeout (60 s) with the default Alation timeout, unscaled', () => {
    const reserves = functionTimeReserves(FUNCTION_DEFAULTS.alationTimeoutMs);
    expect(reserves.startMs).toBeLessThanOrEqual(60_000);
    expect(reservesFor(60_000, reserves)).toEqual(reserves);
  });
});

describe('reservesFor', () => {
  it('scales the reserves of an invocation shorter than the worst path to half of it, in proportion', () => {
    expect(reservesFor(3000, { startMs: 24_000, effectMs: 12_000 })).toEqual({ startMs: 1500, effectMs: 750 });
  });
});

describe('startRecordTime, on a shrinking fake clock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const reserves = { startMs: 5000, effectMs: 2000 };
  const clock = (budgetMs: number) => {
    const start = Date.now();
    return () => budgetMs - (Date.now() - start);
  };

  it('refuses to start a record with less than the start reserve left, with a retryable error', () => {
    const error = (() => {
      try {
        startRecordTime(() => 4999, reserves);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TimeBudgetError);
    expect(error).toMatchObject({ retryable: true, message: '4999 ms left before the function timeout, a record needs 5000: record left for the next delivery' });
  });

  it('aborts the record signal exactly when only the effect reserve is left', () => {
    const time = startRecordTime(clock(10_000), reserves);
    vi.advanceTimersByTime(7999);
    expect(time.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(time.signal.aborted).toBe(true);
    expect(time.signal.reason).toBeInstanceOf(TimeBudgetError);
    time.end();
  });

  it('allows an effect while its reserve is left and refuses it after', () => {
    const time = startRecordTime(clock(10_000), reserves);
    vi.advanceTimersByTime(8000);
    expect(() => time.assertTimeForEffect('publish')).not.toThrow();
    vi.advanceTimersByTime(1);
    expect(() => time.assertTimeForEffect('publish')).toThrow('1999 ms left before the function timeout: too little to publish safely; the record is retried');
    time.end();
  });

  it('stops its timer when the record ends', () => {
    const time = startRecordTime(clock(10_000), reserves);
    time.end();
    vi.advanceTimersByTime(60_000);
    expect(time.signal.aborted).toBe(false);
  });
});

describe('untilAborted', () => {
  it('gives up on shared work when the caller aborts, without cancelling it for others', async () => {
    let finish!: (value: string) => void;
    const shared = new Promise<string>((resolve) => (finish = resolve));
    const caller = new AbortController();
    const waiting = untilAborted(shared, caller.signal);
    caller.abort(new TimeBudgetError('out of time'));
    await expect(waiting).rejects.toThrow('out of time');
    finish('token');
    await expect(untilAborted(shared, new AbortController().signal)).resolves.toBe('token');
  });

  it('rejects at once for a signal already aborted', async () => {
    await expect(untilAborted(Promise.resolve(1), AbortSignal.abort(new TimeBudgetError('late')))).rejects.toThrow('late');
  });
});
