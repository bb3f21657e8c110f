import { MAX_SQS_DELAY_SECONDS } from '../../../shared/config';
import { nextDelaySeconds, type BackoffPolicy } from '../../../shared/watch/backoff';
import { seededRandom } from './random';
import { mean, percentile } from './stats';

/** What a poller does after a check finds the job running: the next `DelaySeconds`. */
export type DelayFunction = (elapsedSeconds: number, remainingSeconds: number, random: number) => number;

/** The project's policy, through the real `nextDelaySeconds`. */
export const projectPoller = (policy: BackoffPolicy): DelayFunction => (elapsedSeconds, remainingSeconds, random) =>
  nextDelaySeconds(policy, { elapsedSeconds, remainingSeconds, random });

/** A poller that always waits the same time (what the existing clients do). */
export const fixedPoller = (seconds: number): DelayFunction => (_elapsed, remainingSeconds) =>
  Math.min(seconds, Math.max(0, remainingSeconds), MAX_SQS_DELAY_SECONDS);

/** One watched job in virtual time. */
export interface JobTrace {
  readonly polls: number;
  /** Seconds from the job's end to the first check that saw it final. */
  readonly detectionDelaySeconds: number;
  readonly timedOut: boolean;
}

export interface PollingSummary {
  readonly jobs: number;
  readonly meanPolls: number;
  readonly totalPolls: number;
  readonly p50DelaySeconds: number;
  readonly p95DelaySeconds: number;
  readonly maxDelaySeconds: number;
  readonly timedOut: number;
}

/**
 * Watches one job in virtual time, as the deployed watcher does: the first check at t = 0 (the
 * job is enqueued as it starts), then after each check that finds it running, a re-send with
 * the poller's `DelaySeconds`. The check is instantaneous (Lambda and SQS latency are ignored:
 * they add the same ~0.1 s to every poller).
 */
export function traceJob(durationSeconds: number, delay: DelayFunction, random: () => number, maxWatchSeconds: number): JobTrace {
  let t = 0;
  let polls = 0;
  for (;;) {
    polls++;
    if (t >= durationSeconds) return { polls, detectionDelaySeconds: t - durationSeconds, timedOut: false };
    if (t >= maxWatchSeconds) return { polls, detectionDelaySeconds: Number.NaN, timedOut: true };
    const d = delay(t, maxWatchSeconds - t, random());
    if (!Number.isInteger(d) || d < 0 || d > MAX_SQS_DELAY_SECONDS) throw new RangeError(`DelaySeconds ${d} is not a whole number in 0–900`);
    t += d;
  }
}

/** Runs every job of a workload through one poller; jitter draws come from `seed`. */
export function simulatePolling(durations: readonly number[], delay: DelayFunction, seed: number, maxWatchSeconds: number): PollingSummary {
  const random = seededRandom(seed);
  const traces = durations.map((d) => traceJob(d, delay, random, maxWatchSeconds));
  const delays = traces.filter((t) => !t.timedOut).map((t) => t.detectionDelaySeconds);
  const polls = traces.map((t) => t.polls);
  return {
    jobs: traces.length,
    meanPolls: mean(polls),
    totalPolls: polls.reduce((a, b) => a + b, 0),
    p50DelaySeconds: percentile(delays, 50),
    p95DelaySeconds: percentile(delays, 95),
    maxDelaySeconds: Math.max(...delays),
    timedOut: traces.length - delays.length,
  };
}
