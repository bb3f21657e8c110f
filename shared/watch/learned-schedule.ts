import { durationQuantile, type KindDurations } from './duration-histogram';

/**
 * How the schedule uses a kind's learned durations (docs/performance.md, "The learned schedule").
 * Until the kind has `minSamples` recent outcomes the default backoff applies unchanged.
 */
export interface LearnedSchedulePolicy {
  /** Recent (decayed) outcomes of a kind before its durations are trusted. @default 20 */
  readonly minSamples: number;
  /**
   * Checks before the time by which this share of the kind's jobs have finished are skipped:
   * they would almost always find the job running. @default 0.05
   */
  readonly skipBelowQuantile: number;
  /**
   * Past the time by which this share have finished the job is an outlier for its kind, and the
   * default backoff takes over again. @default 0.99
   */
  readonly trustUpToQuantile: number;
  /**
   * Where the kind's jobs finish, the wait between checks grows as the default's does (a share
   * of the job's age) up to the larger of {@link maxDelaySeconds} and this share of the kind's
   * median duration: a minute late on a 40-minute job matters less than on a 1-minute job.
   * @default 0.05
   */
  readonly medianShare: number;
  /**
   * The longest wait where a kind's jobs finish, for kinds whose median is under 20 × this
   * (never more than `POLL_MAX_DELAY_SECONDS`). Shorter than the default's 70 s: the checks
   * saved before a kind's jobs start finishing pay for checking closer where they do.
   * @default 60
   */
  readonly maxDelaySeconds: number;
}

export const DEFAULT_LEARNED_SCHEDULE: LearnedSchedulePolicy = {
  minSamples: 20,
  skipBelowQuantile: 0.05,
  trustUpToQuantile: 0.99,
  medianShare: 0.05,
  maxDelaySeconds: 60,
};

export interface LearnedIntervalInput {
  readonly elapsedSeconds: number;
  /** The default's growth, jitter included: the wait as a share of the age. */
  readonly growth: number;
  readonly initialDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

/**
 * The wait before the next check, from the kind's durations; null when they do not apply (too
 * few samples, or a job that has outlived its kind) and the default backoff decides. Pure.
 */
export function learnedIntervalSeconds(
  durations: KindDurations | null | undefined,
  input: LearnedIntervalInput,
  policy: LearnedSchedulePolicy = DEFAULT_LEARNED_SCHEDULE,
): number | null {
  if (!durations || !(durations.samples >= policy.minSamples)) return null;
  const low = durationQuantile(durations, policy.skipBelowQuantile);
  const median = durationQuantile(durations, 0.5);
  const high = durationQuantile(durations, policy.trustUpToQuantile);
  if (low === null || median === null || high === null) return null;
  const { elapsedSeconds } = input;
  if (elapsedSeconds > high) return null;
  const cap = Math.max(Math.min(input.maxDelaySeconds, policy.maxDelaySeconds), policy.medianShare * median);
  const whereTheyFinish = Math.min(Math.max(elapsedSeconds * input.growth, input.initialDelaySeconds), cap);
  // Before the kind's jobs start finishing, go straight to where they do.
  return Math.max(low - elapsedSeconds, whereTheyFinish);
}
