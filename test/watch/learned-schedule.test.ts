import { describe, expect, it } from 'vitest';
import { nextDelaySeconds, type BackoffPolicy } from '../../shared/watch/backoff';
import { decide, type WatchPolicy } from '../../shared/watch/decide';
import { addSample, combineEras, durationQuantile, type EraCounts, type KindDurations } from '../../shared/watch/duration-histogram';
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

  it('skips the checks before the kind\'s jobs start finishing', () => {
    const low = durationQuantile(longKind, DEFAULT_LEARNED_SCHEDULE.skipBelowQuantile) as number;
    expect(low).toBeGreaterThan(600);
    expect(delay(0, longKind)).toBe(Math.round(low));
    expect(delay(0, null)).toBe(2);
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
    expect(delay(0, hours)).toBe(900);
    expect(delay(0, hours, 120)).toBe(120);
    expect(delay(0, longKind, 30)).toBe(30);
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
    expect((a as { delaySeconds: number }).delaySeconds).toBeGreaterThan(500);
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
