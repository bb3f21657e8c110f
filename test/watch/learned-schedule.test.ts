import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextDelaySeconds, type BackoffPolicy } from '../../shared/watch/backoff';
import { decide, type WatchPolicy } from '../../shared/watch/decide';
import { addSample, combineEras, durationQuantile, HISTOGRAM_BUCKETS, type EraCounts, type KindDurations } from '../../shared/watch/duration-histogram';
import { DEFAULT_LEARNED_SCHEDULE, learnedIntervalSeconds } from '../../shared/watch/learned-schedule';
import { statusResponse } from '../support/alation-responses';
import { jobRef, watchState } from '../support/factories';

const clock = { halfLifeSeconds: 7 * 24 * 3600 };
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const policy: BackoffPolicy = { initialDelaySeconds: 2, maxDelaySeconds: 70, growth: 0.75, jitter: 0 };

/** A kind whose `count` jobs took the given durations, cycled. */
function learned(count: number, durations: readonly number[]): KindDurations {
  let eras: EraCounts[] = [];
  for (let i = 0; i < count; i++) eras = addSample(eras, durations[i % durations.length] as number, NOW, clock);
  return combineEras(eras, NOW, clock);
}

/** A 40-minute kind: durations spread log-evenly from 10 to 160 minutes. */
const longKind = learned(200, Array.from({ length: 50 }, (_, i) => 600 * 16 ** (i / 49)));
const delay = (elapsedSeconds: number, durations: KindDurations | null, remainingSeconds = 86_400) =>
  nextDelaySeconds(policy, { elapsedSeconds, remainingSeconds, random: 0.5, durations });

describe('the learned schedule', () => {
  it('applies the default backoff unchanged until a kind has enough samples', () => {
    const few = learned(DEFAULT_LEARNED_SCHEDULE.minSamples - 1, [600, 1200, 2400]);
    for (const elapsed of [0, 5, 100, 1000]) expect(delay(elapsed, few)).toBe(delay(elapsed, null));
    expect(learnedIntervalSeconds(few, { elapsedSeconds: 0, growth: 0.75, initialDelaySeconds: 2, maxDelaySeconds: 70 })).toBeNull();
  });

  it('skips the checks before the kind\'s jobs start finishing, at most the wait ceiling at a time', () => {
    const low = durationQuantile(longKind, DEFAULT_LEARNED_SCHEDULE.skipBelowQuantile) as number;
    const ceiling = DEFAULT_LEARNED_SCHEDULE.waitCeilingSeconds;
    expect(low).toBeGreaterThan(ceiling);
    expect(delay(0, null)).toBe(2);
    expect(delay(0, longKind)).toBe(ceiling);
    expect(delay(low - 250, longKind)).toBe(250);
    const lowWithin = learned(200, Array.from({ length: 50 }, (_, i) => 200 * 16 ** (i / 49)));
    expect(delay(0, lowWithin)).toBe(Math.round(durationQuantile(lowWithin, DEFAULT_LEARNED_SCHEDULE.skipBelowQuantile) as number));
  });

  it('checks at least every 5 % of the kind\'s median where its jobs finish', () => {
    const median = durationQuantile(longKind, 0.5) as number;
    expect(delay(median, longKind)).toBe(Math.round(0.05 * median));
  });

  it('keeps short kinds within 60 s where their jobs finish, never slower than the default', () => {
    const minutes = learned(100, [120, 180, 240, 300, 400]);
    for (const elapsed of [100, 200, 300]) {
      expect(delay(elapsed, minutes)).toBeLessThanOrEqual(60);
      expect(delay(elapsed, minutes)).toBeLessThanOrEqual(delay(elapsed, null));
    }
  });

  it('hands a job that outlived its kind back to the default backoff', () => {
    const seconds = learned(100, [2, 3, 4]);
    expect(delay(500, seconds)).toBe(delay(500, null));
  });

  it('never waits past the deadline or 900 s', () => {
    const hours = learned(100, [6 * 3600, 10 * 3600, 20 * 3600]);
    const unbounded = { ...policy, learned: { ...DEFAULT_LEARNED_SCHEDULE, waitCeilingSeconds: 10_000 } };
    expect(nextDelaySeconds(unbounded, { elapsedSeconds: 0, remainingSeconds: 86_400, random: 0.5, durations: hours })).toBe(900);
    expect(delay(0, hours, 120)).toBe(120);
    expect(delay(0, longKind, 30)).toBe(30);
  });
});

describe('the learned schedule under poisoned statistics (issue 15, attacker review)', () => {
  // A producer enqueued 3,000 real hour-long jobs labelled `lineage`, spread over 50–85 minutes.
  const poison = Array.from({ length: 75 }, (_, i) => 3000 + 20 * i);
  const poisonedWith = (genuine: number) => {
    let eras: EraCounts[] = [];
    for (let i = 0; i < 3000; i++) eras = addSample(eras, poison[i % poison.length] as number, NOW, clock);
    for (let i = 0; i < genuine; i++) eras = addSample(eras, 2, NOW, clock);
    return combineEras(eras, NOW, clock);
  };
  const before = { ...policy, learned: { ...DEFAULT_LEARNED_SCHEDULE, waitCeilingSeconds: 900, lowTailMinRatio: 0 } };
  const delayBefore = (durations: KindDurations) => nextDelaySeconds(before, { elapsedSeconds: 0, remainingSeconds: 86_400, random: 0.5, durations });

  it('holds a genuine 2 s job of a poisoned kind back by the wait ceiling, not 900 s', () => {
    const poisoned = poisonedWith(10); // genuine outcomes: 0.3 % of the kind
    expect(durationQuantile(poisoned, DEFAULT_LEARNED_SCHEDULE.lowTailQuantile)).toBeGreaterThan(2900);
    // Before the review: the first re-check came at the SQS limit.
    expect(delayBefore(poisoned)).toBe(900);
    // Now a genuine job that ended after 2 s is seen at most 300 s later, whatever the statistics say.
    expect(delay(0, poisoned)).toBe(DEFAULT_LEARNED_SCHEDULE.waitCeilingSeconds);
  });

  it('stops skipping once genuine outcomes are 1 % of the kind, long before they move its 5 % point', () => {
    const poisoned = poisonedWith(40); // 1.3 %
    expect(durationQuantile(poisoned, DEFAULT_LEARNED_SCHEDULE.skipBelowQuantile)).toBeGreaterThan(2900);
    expect(delayBefore(poisoned)).toBe(900);
    expect(delay(0, poisoned)).toBe(2);
    expect(delay(10, poisoned)).toBe(delay(10, null));
  });

  it('heals fully once genuine outcomes are more than 5 % of the kind\'s recent weight', () => {
    expect(delayBefore(poisonedWith(200))).toBe(2);
    expect(delay(0, poisonedWith(200))).toBe(2);
  });

  it('still skips for an honest long kind, whose low tail is one population', () => {
    const low = durationQuantile(longKind, DEFAULT_LEARNED_SCHEDULE.skipBelowQuantile) as number;
    expect(durationQuantile(longKind, DEFAULT_LEARNED_SCHEDULE.lowTailQuantile)).toBeGreaterThan(low * DEFAULT_LEARNED_SCHEDULE.lowTailMinRatio);
    expect(delay(0, longKind)).toBe(DEFAULT_LEARNED_SCHEDULE.waitCeilingSeconds);
  });
});

describe('the bound on what learning can add, for any statistics (property)', () => {
  const dense = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 0, maxLength: 120 });
  // Most kinds' weight sits in a few neighbouring buckets, anywhere from 0.5 s to days.
  const sparse = fc.array(fc.record({ bucket: fc.integer({ min: 0, max: HISTOGRAM_BUCKETS - 1 }), weight: fc.double({ min: 0, max: 1e4, noNaN: true }) }), { maxLength: 6 }).map((spikes) => {
    const w = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    for (const { bucket, weight } of spikes) w[bucket] = (w[bucket] as number) + weight;
    return w;
  });
  const anyDurations = fc.oneof(dense, sparse).map((w): KindDurations => ({ samples: w.reduce((a, b) => a + b, 0), weights: w }));
  const anyElapsed = fc.oneof(fc.double({ min: 0, max: 900, noNaN: true }), fc.double({ min: 0, max: 14 * 86_400, noNaN: true }));
  const anyPolicy = fc.record({
    initialDelaySeconds: fc.integer({ min: 1, max: 60 }),
    maxDelaySeconds: fc.integer({ min: 60, max: 900 }),
    growth: fc.double({ min: 0.05, max: 2, noNaN: true }),
    jitter: fc.double({ min: 0, max: 0.5, noNaN: true }),
  });
  const ceiling = fc.integer({ min: 1, max: 2000 });

  it('never waits longer than the larger of the wait ceiling and the default\'s own wait, nor past the deadline or 900 s', () => {
    fc.assert(
      fc.property(anyPolicy, ceiling, anyDurations, anyElapsed, fc.double({ min: 0, max: 14 * 86_400, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (base, waitCeilingSeconds, durations, elapsedSeconds, remainingSeconds, random) => {
        const withLearning = { ...base, learned: { ...DEFAULT_LEARNED_SCHEDULE, waitCeilingSeconds } };
        const learnedWait = nextDelaySeconds(withLearning, { elapsedSeconds, remainingSeconds, random, durations });
        const defaultWait = nextDelaySeconds(base, { elapsedSeconds, remainingSeconds, random, durations: null });
        expect(Number.isInteger(learnedWait)).toBe(true);
        expect(learnedWait).toBeGreaterThanOrEqual(0);
        expect(learnedWait).toBeLessThanOrEqual(900);
        expect(learnedWait).toBeLessThanOrEqual(Math.max(Math.round(remainingSeconds), 0));
        expect(learnedWait).toBeLessThanOrEqual(Math.max(defaultWait, Math.round(waitCeilingSeconds)));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers with a finite wait or hands over to the default, for any statistics', () => {
    fc.assert(
      fc.property(anyDurations, anyElapsed, (durations, elapsedSeconds) => {
        const wait = learnedIntervalSeconds(durations, { elapsedSeconds, growth: 0.75, initialDelaySeconds: 2, maxDelaySeconds: 70 });
        if (wait !== null) {
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeLessThanOrEqual(Math.max(Math.min(Math.max(elapsedSeconds * 0.75, 2), 70), DEFAULT_LEARNED_SCHEDULE.waitCeilingSeconds));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decide with learned durations', () => {
  const watchPolicy: WatchPolicy = { ...policy, maxWatchSeconds: 86_400 };
  const reference = jobRef({ kind: 'metadata-extraction', watch: watchState({ firstSeenAt: new Date(NOW).toISOString() }) });
  const input = { reference, check: { ok: true as const, response: statusResponse('running') }, policy: watchPolicy, now: new Date(NOW + 60_000), random: 0.5 };

  it('takes them as an input and is pure: the same input gives the same decision', () => {
    const a = decide({ ...input, durations: longKind });
    const b = decide({ ...input, durations: longKind });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ action: 'requeue' });
    expect((a as { delaySeconds: number }).delaySeconds).toBe(DEFAULT_LEARNED_SCHEDULE.waitCeilingSeconds);
  });

  it('decides as before without them', () => {
    expect(decide({ ...input, durations: null })).toEqual(decide(input));
    expect(decide(input)).toMatchObject({ action: 'requeue', delaySeconds: 45 });
  });

  it('still publishes a finished job whatever the durations say', () => {
    const decision = decide({ ...input, check: { ok: true, response: statusResponse('successful') }, durations: longKind });
    expect(decision).toMatchObject({ action: 'publish', outcome: { status: 'successful', kind: 'metadata-extraction' } });
  });
});
