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
  /**
   * The bound on what learning can cost a job, whatever the statistics say: no learned wait is
   * longer than the larger of this and the default backoff's own wait at that age. So a job is
   * seen finished at most this long after it ends (or the default's wait, if longer), even when
   * its kind's statistics are wrong: a producer who labels thousands of hour-long jobs with a
   * seconds-long kind (issue 15, attacker review) can make that kind's genuine jobs wait this
   * long, not 900 s. Durations are learned from true outcomes, so such a kind heals as genuine
   * samples arrive; this ceiling is what holds meanwhile.
   *
   * It caps the skip before a kind's jobs start finishing, which is where long kinds save their
   * checks: a 40-minute kind whose 5 % point is at 11 minutes now spends one more check on the
   * way there. 300 s was chosen on the benchmark (docs/performance.md): lower ceilings cost
   * more checks than the ≤ 7 per job target leaves room for, higher ones buy few checks for
   * minutes of worst-case delay.
   * @default 300
   */
  readonly waitCeilingSeconds: number;
  /**
   * The skip is trusted only if the kind's durations below its skip point look like one
   * population: the time by which this share of its jobs have finished must be at least
   * {@link lowTailMinRatio} of the skip point. Mislabelled long jobs (issue 15, attacker review)
   * push the skip point far above the genuine jobs; once those are this share of the kind's
   * weight (1 %: ~30 genuine outcomes after 3,000 poisoned ones, instead of the 5 % share that
   * moves the skip point itself), the kind gets no skip: its jobs are checked from their start
   * on the default's growth (the waits where its jobs finish are shaped as before). A kind that
   * often fails within seconds gets no skip for the same reason. An
   * honest log-normal kind fails this only if σ > 1.6 (its durations spread over 100×), where
   * a skip saves little; on the benchmark it moves two seeds' checks per job by ≤ 0.02.
   * @default 0.01
   */
  readonly lowTailQuantile: number;
  /** See {@link lowTailQuantile}. @default 1/3 */
  readonly lowTailMinRatio: number;
}

export const DEFAULT_LEARNED_SCHEDULE: LearnedSchedulePolicy = {
  minSamples: 20,
  skipBelowQuantile: 0.05,
  trustUpToQuantile: 0.99,
  medianShare: 0.05,
  maxDelaySeconds: 60,
  waitCeilingSeconds: 300,
  lowTailQuantile: 0.01,
  lowTailMinRatio: 1 / 3,
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
 * few samples, a job that has outlived its kind, statistics that are not numbers) and the
 * default backoff decides. Never longer than the larger of `waitCeilingSeconds` and the
 * default's own wait (the deadline and the 900 s SQS limit are applied by the caller). Pure.
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
  // A low tail far below the skip point: jobs of another population finish there; skip nothing.
  const lowTail = durationQuantile(durations, policy.lowTailQuantile);
  const skipTo = lowTail === null || lowTail < low * policy.lowTailMinRatio ? 0 : low;
  const cap = Math.max(Math.min(input.maxDelaySeconds, policy.maxDelaySeconds), policy.medianShare * median);
  const grown = Math.max(elapsedSeconds * input.growth, input.initialDelaySeconds);
  const whereTheyFinish = Math.min(grown, cap);
  // Before the kind's jobs start finishing, go straight to where they do, but never further than
  // the ceiling: what the statistics say is trusted to save checks, not to hold a job back.
  const ceiling = Math.max(Math.min(grown, input.maxDelaySeconds), policy.waitCeilingSeconds);
  const wait = Math.min(Math.max(skipTo - elapsedSeconds, whereTheyFinish), ceiling);
  return Number.isFinite(wait) ? wait : null;
}
