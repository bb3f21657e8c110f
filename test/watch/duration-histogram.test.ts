import { describe, expect, it } from 'vitest';
import {
  addSample,
  bucketBounds,
  bucketOf,
  combineEras,
  durationQuantile,
  ERA_HALF_LIVES,
  eraOf,
  HISTOGRAM_BUCKETS,
  sampleWeight,
  type EraCounts,
} from '../../shared/watch/duration-histogram';

const clock = { halfLifeSeconds: 3600 };
const eraMs = clock.halfLifeSeconds * ERA_HALF_LIVES * 1000;
const T0 = 10 * eraMs; // the start of an era

function record(samples: readonly { seconds: number; atMs: number }[]): EraCounts[] {
  return samples.reduce<EraCounts[]>((eras, s) => addSample(eras, s.seconds, s.atMs, clock), []);
}

describe('the duration histogram', () => {
  it('puts a duration in the bucket whose bounds hold it', () => {
    for (const seconds of [0.5, 0.7, 1, 2, 30, 240, 2400, 86_400]) {
      const [lo, hi] = bucketBounds(bucketOf(seconds));
      expect(seconds).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
      expect(seconds).toBeLessThan(hi);
    }
  });

  it('keeps nonsense and extremes in the first and last bucket instead of throwing', () => {
    expect([bucketOf(-1), bucketOf(Number.NaN), bucketOf(0.1)]).toEqual([0, 0, 0]);
    expect(bucketOf(1e12)).toBe(HISTOGRAM_BUCKETS - 1);
  });

  it('reads quantiles within one bucket width (19 %) of the recorded durations', () => {
    const eras = record(Array.from({ length: 100 }, (_, i) => ({ seconds: i + 1, atMs: T0 })));
    const known = combineEras(eras, T0, clock);
    expect(known.samples).toBeCloseTo(100, 9);
    expect(durationQuantile(known, 0.5)).toBeGreaterThan(50 / 1.19);
    expect(durationQuantile(known, 0.5)).toBeLessThan(50 * 1.19);
    expect(durationQuantile(known, 0.05)).toBeLessThan(5 * 1.19);
    expect(durationQuantile(known, 0.99)).toBeGreaterThan(99 / 1.19);
  });

  it('knows nothing about a kind with no samples', () => {
    expect(durationQuantile(combineEras([], T0, clock), 0.5)).toBeNull();
  });

  it('halves the weight of a sample per half-life', () => {
    const eras = record([{ seconds: 10, atMs: T0 }]);
    expect(combineEras(eras, T0, clock).samples).toBeCloseTo(1, 12);
    expect(combineEras(eras, T0 + 3600_000, clock).samples).toBeCloseTo(0.5, 12);
    expect(combineEras(eras, T0 + 3 * 3600_000, clock).samples).toBeCloseTo(0.125, 12);
  });

  it('carries samples across an era boundary without a jump', () => {
    const justBefore = T0 + eraMs - 1000;
    const eras = record([{ seconds: 10, atMs: justBefore }]);
    expect(eraOf(justBefore + 2000, clock)).toBe(eraOf(justBefore, clock) + 1);
    expect(combineEras(eras, justBefore + 2000, clock).samples).toBeCloseTo(2 ** (-2000 / 3_600_000), 9);
  });

  it('keeps sample weights small within an era, so stored sums stay exact', () => {
    expect(sampleWeight(T0, clock)).toBe(1);
    expect(sampleWeight(T0 + eraMs - 1, clock)).toBeLessThan(2 ** ERA_HALF_LIVES);
  });

  it('follows a kind whose durations shift: old samples fade', () => {
    const before = Array.from({ length: 100 }, () => ({ seconds: 10, atMs: T0 }));
    const later = T0 + 4 * 3600_000; // four half-lives on
    const after = Array.from({ length: 30 }, () => ({ seconds: 200, atMs: later }));
    expect(durationQuantile(combineEras(record(before), T0, clock), 0.5)).toBeLessThan(12);
    const eras = record([...before, ...after]);
    const now = combineEras(eras, later, clock);
    // 100 old samples now weigh 100/16 = 6.25 against 30 new ones.
    expect(now.samples).toBeCloseTo(36.25, 6);
    expect(durationQuantile(now, 0.5)).toBeGreaterThan(200 / 1.19);
  });

  it('ignores eras from the future and those too old to count', () => {
    const eras: EraCounts[] = [
      { era: eraOf(T0, clock) + 1, weights: [0, 5] },
      { era: eraOf(T0, clock) - 2, weights: [0, 5] },
    ];
    expect(combineEras(eras, T0, clock).samples).toBe(0);
  });
});
