/**
 * Polling efficiency in virtual time: the project's default policy (its real
 * `nextDelaySeconds`, with the defaults `loadConfig` applies) against fixed-interval pollers,
 * on the seeded workload of 10,000 jobs.
 */
import { loadConfig } from '../../shared/config';
import { DEFAULT_GROWTH, DEFAULT_JITTER, type BackoffPolicy } from '../../shared/watch/backoff';
import { DUMMY_FUNCTION_ENV } from './lib/cold-start';
import { fixedPoller, projectPoller, simulatePolling, type DelayFunction, type PollingSummary } from './lib/polling-sim';
import { BENCHMARK_JOB_COUNT, BENCHMARK_SEED, generateDurations } from './lib/workload';

export interface PollingResult {
  readonly seed: number;
  readonly jobs: number;
  readonly maxWatchSeconds: number;
  readonly defaultPolicy: BackoffPolicy;
  readonly rows: readonly (PollingSummary & { readonly poller: string })[];
  /** The default policy on other seeds: how much the result depends on the draw. */
  readonly otherSeeds: readonly (PollingSummary & { readonly seed: number })[];
}

export function defaultPolicy(): { policy: BackoffPolicy; maxWatchSeconds: number } {
  const { poll } = loadConfig(DUMMY_FUNCTION_ENV);
  return {
    policy: { initialDelaySeconds: poll.initialDelaySeconds, maxDelaySeconds: poll.maxDelaySeconds, growth: DEFAULT_GROWTH, jitter: DEFAULT_JITTER },
    maxWatchSeconds: poll.maxWatchSeconds,
  };
}

export function runPolling(): PollingResult {
  const { policy, maxWatchSeconds } = defaultPolicy();
  const durations = generateDurations(BENCHMARK_JOB_COUNT, BENCHMARK_SEED);
  const pollers: [string, DelayFunction][] = [
    [`default policy (${policy.growth * 100} % of age, ${policy.initialDelaySeconds}–${policy.maxDelaySeconds} s, ±${policy.jitter * 100} %)`, projectPoller(policy)],
    ['previous default (25 % of age, 1–300 s, ±10 %)', projectPoller({ initialDelaySeconds: 1, maxDelaySeconds: 300, growth: 0.25, jitter: 0.1 })],
    ['fixed 1 s', fixedPoller(1)],
    ['fixed 3 s (Allie-SDK)', fixedPoller(3)],
    ['fixed 300 s (Step Functions sample)', fixedPoller(300)],
  ];
  const rows = pollers.map(([poller, delay]) => ({ poller, ...simulatePolling(durations, delay, BENCHMARK_SEED, maxWatchSeconds) }));
  const otherSeeds = [1, 2, 3, 4, 5].map((seed) => ({
    seed,
    ...simulatePolling(generateDurations(BENCHMARK_JOB_COUNT, seed), projectPoller(policy), seed, maxWatchSeconds),
  }));
  return { seed: BENCHMARK_SEED, jobs: BENCHMARK_JOB_COUNT, maxWatchSeconds, defaultPolicy: policy, rows, otherSeeds };
}
