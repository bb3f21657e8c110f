import { MAX_SQS_DELAY_SECONDS } from '../config';
import type { KindDurations } from './duration-histogram';
import { DEFAULT_LEARNED_SCHEDULE, learnedIntervalSeconds, type LearnedSchedulePolicy } from './learned-schedule';

/** How the wait between two checks grows. */
export interface BackoffPolicy {
  /** The shortest wait, in seconds (also the first one). */
  readonly initialDelaySeconds: number;
  /** The longest wait, in seconds; SQS allows at most 900. */
  readonly maxDelaySeconds: number;
  /**
   * The wait is this share of the time the job has already run. Jobs that have run long
   * will probably run long still, so checking them less often costs little delay, while
   * the many short jobs are seen finishing within a second or two. 0.75 with a 70 s cap is
   * what meets the benchmark targets (BENCHMARKS.md): growth buys few checks for jobs of
   * minutes, the cap keeps jobs of hours seen within about a minute of ending.
   * @default 0.75
   */
  readonly growth: number;
  /** ± share of random spread, so jobs enqueued together do not poll in lock-step. @default 0.1 */
  readonly jitter: number;
  /** How learned durations shape the waits (`learned-schedule.ts`). @default DEFAULT_LEARNED_SCHEDULE */
  readonly learned?: LearnedSchedulePolicy | undefined;
}

export const DEFAULT_GROWTH = 0.75;
export const DEFAULT_JITTER = 0.1;

export interface BackoffInput {
  /** Seconds since the watcher first saw the job. */
  readonly elapsedSeconds: number;
  /** Seconds left before the watch deadline; the next check never lands later than it. */
  readonly remainingSeconds: number;
  /** What Alation asked for (429/503 `Retry-After`), honoured as a floor. */
  readonly retryAfterSeconds?: number | undefined;
  /** A floor of our own, e.g. after an auth failure, when checking soon cannot help. */
  readonly minimumSeconds?: number | undefined;
  /** A number in [0, 1); injected so tests and benchmarks are repeatable. */
  readonly random: number;
  /** What is known about the job's kind; null or absent: nothing, and the default backoff applies. */
  readonly durations?: KindDurations | null | undefined;
}

/**
 * The next `DelaySeconds`: a whole number of seconds in 0–900 (SQS message timers).
 * Pure: everything it depends on is in its arguments.
 */
export function nextDelaySeconds(policy: BackoffPolicy, input: BackoffInput): number {
  const spread = 1 + policy.jitter * (2 * input.random - 1);
  const byDefault = Math.min(Math.max(input.elapsedSeconds * policy.growth * spread, policy.initialDelaySeconds), policy.maxDelaySeconds);
  const learned = learnedIntervalSeconds(
    input.durations,
    {
      elapsedSeconds: input.elapsedSeconds,
      growth: policy.growth * spread,
      initialDelaySeconds: policy.initialDelaySeconds,
      maxDelaySeconds: policy.maxDelaySeconds,
    },
    policy.learned ?? DEFAULT_LEARNED_SCHEDULE,
  );
  let delay = learned ?? byDefault;
  delay = Math.max(delay, input.retryAfterSeconds ?? 0, input.minimumSeconds ?? 0);
  // Land the last check on the deadline rather than past it, but never in the past.
  delay = Math.min(delay, Math.max(input.remainingSeconds, 0));
  return Math.min(Math.max(Math.round(delay), 0), MAX_SQS_DELAY_SECONDS);
}
