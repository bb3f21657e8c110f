import { describe, expect, it } from 'vitest';
import { percentile, mean } from './lib/stats';
import { fixedPoller, simulatePolling, traceJob } from './lib/polling-sim';
import { seededRandom } from './lib/random';
import { BENCHMARK_BANDS, generateDurations } from './lib/workload';

describe('the benchmark workload', () => {
  it('is the same for the same seed and different for another', () => {
    expect(generateDurations(100, 7)).toEqual(generateDurations(100, 7));
    expect(generateDurations(100, 8)).not.toEqual(generateDurations(100, 7));
  });

  it('gives each duration band exactly its share of the jobs, within its bounds', () => {
    const durations = generateDurations(10_000, 1);
    const inBand = BENCHMARK_BANDS.map((b) => durations.filter((d) => d >= b.minSeconds && d < b.maxSeconds).length);
    expect(inBand).toEqual([6000, 3000, 1000]);
  });
});

describe('seededRandom', () => {
  it('draws numbers in [0, 1)', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 10_000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(mean(draws)).toBeCloseTo(0.5, 1);
  });
});

describe('percentile', () => {
  it('returns a measured value by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([3], 99)).toBe(3);
  });

  it('refuses an empty list and a percentile outside 0–100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('the virtual-time poller', () => {
  it('checks at t = 0 and then every fixed interval until the job has ended', () => {
    // Checks at 0, 3, 6: the job ending at 4.5 s is seen at 6 s.
    expect(traceJob(4.5, fixedPoller(3), seededRandom(1), 86_400)).toEqual({ polls: 3, detectionDelaySeconds: 1.5, timedOut: false });
  });

  it('stops at the deadline and reports the job timed out', () => {
    expect(traceJob(100, fixedPoller(30), seededRandom(1), 60)).toMatchObject({ polls: 3, timedOut: true });
  });

  it('summarises polls and detection delays', () => {
    const summary = simulatePolling([0.5, 1.5, 2.5], fixedPoller(1), 1, 86_400);
    expect(summary).toMatchObject({ jobs: 3, totalPolls: 2 + 3 + 4, p50DelaySeconds: 0.5, maxDelaySeconds: 0.5, timedOut: 0 });
  });
});

describe('the kind-labelled workload', () => {
  it('gives each kind exactly its share, with the median duration of its spec', async () => {
    const { generateLabelledJobs, LABELLED_KINDS } = await import('./lib/labelled-workload');
    const jobs = generateLabelledJobs(10_000, 3);
    for (const spec of LABELLED_KINDS) {
      const own = jobs.filter((j) => j.kind === spec.kind).map((j) => j.durationSeconds);
      expect(own).toHaveLength(Math.round(spec.share * 10_000));
      expect(percentile(own, 50) / spec.medianSeconds).toBeGreaterThan(0.9);
      expect(percentile(own, 50) / spec.medianSeconds).toBeLessThan(1.1);
    }
  });

  it('arrives over a day in time order, the same for the same seed', async () => {
    const { generateLabelledJobs } = await import('./lib/labelled-workload');
    const jobs = generateLabelledJobs(1000, 9);
    expect(jobs).toEqual(generateLabelledJobs(1000, 9));
    const arrivals = jobs.map((j) => j.arrivalSeconds);
    expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
    expect(arrivals.at(-1)).toBeGreaterThan(0.8 * 86_400);
    expect(arrivals.at(-1)).toBeLessThan(1.2 * 86_400);
  });
});

describe('the learning simulation', () => {
  it('starts cold: the first jobs of a kind get the default schedule, later ones the learned one', async () => {
    const { simulateLearning } = await import('./lib/learning-sim');
    const jobs = Array.from({ length: 200 }, (_, i) => ({ arrivalSeconds: i * 100, durationSeconds: 600, kind: 'k' }));
    const seen: boolean[] = [];
    simulateLearning(jobs, (_e, _r, _x, durations) => {
      seen.push(durations !== null && durations.samples > 0);
      return 30;
    }, 1, 86_400);
    expect(seen[0]).toBe(false);
    expect(seen.at(-1)).toBe(true);
  });
});
