import { seededRandom } from './random';

/** One band of job durations, drawn log-uniformly between `minSeconds` and `maxSeconds`. */
export interface DurationBand {
  readonly share: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

/**
 * The workload: most bulk jobs finish in seconds, some in minutes, a few take hours.
 * Log-uniform within a band, because job sizes spread over orders of magnitude.
 */
export const BENCHMARK_BANDS: readonly DurationBand[] = [
  { share: 0.6, minSeconds: 0.5, maxSeconds: 5 },
  { share: 0.3, minSeconds: 5, maxSeconds: 600 },
  { share: 0.1, minSeconds: 600, maxSeconds: 4 * 3600 },
];

export const BENCHMARK_SEED = 20_260_101;
export const BENCHMARK_JOB_COUNT = 10_000;

/**
 * Job durations in seconds (not rounded: jobs end between two checks). Each band gets exactly
 * its share of the jobs (rounded), so the mix does not depend on the seed; the order is shuffled.
 */
export function generateDurations(count: number, seed: number, bands: readonly DurationBand[] = BENCHMARK_BANDS): number[] {
  const random = seededRandom(seed);
  const counts = bands.map((b) => Math.round(b.share * count));
  counts[counts.length - 1] = count - counts.slice(0, -1).reduce((a, b) => a + b, 0);
  const durations: number[] = [];
  bands.forEach((band, i) => {
    const logMin = Math.log(band.minSeconds);
    const logMax = Math.log(band.maxSeconds);
    for (let n = 0; n < (counts[i] as number); n++) durations.push(Math.exp(logMin + (logMax - logMin) * random()));
  });
  // Fisher–Yates, so any prefix of the workload has the same mix.
  for (let i = durations.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [durations[i], durations[j]] = [durations[j] as number, durations[i] as number];
  }
  return durations;
}
