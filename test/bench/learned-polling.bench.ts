/**
 * The learned schedule in virtual time (issue 15): the kind-labelled workload arriving over a
 * day, learned cold inside the run, against the default backoff and fixed pollers; and the
 * unlabelled workload, where the learned schedule must not do worse than the default.
 */
import { MAX_SQS_DELAY_SECONDS } from '../../shared/config';
import { nextDelaySeconds, type BackoffPolicy } from '../../shared/watch/backoff';
import type { KindDurations } from '../../shared/watch/duration-histogram';
import { DEFAULT_LEARNED_SCHEDULE } from '../../shared/watch/learned-schedule';
import { fixedPoller } from './lib/polling-sim';
import { generateLabelledJobs, LABELLED_ARRIVAL_SPAN_SECONDS, LABELLED_KINDS, withArrivals, type ArrivingJob } from './lib/labelled-workload';
import { simulateLearning, type LearningDelayFunction, type LearningSummary } from './lib/learning-sim';
import { generatePoisonedJobs, POISON } from './lib/poisoned-workload';
import { defaultPolicy } from './polling.bench';
import { BENCHMARK_JOB_COUNT, BENCHMARK_SEED, generateDurations } from './lib/workload';

export interface LearnedPollingRow extends LearningSummary {
  readonly workload: 'labelled' | 'unlabelled' | 'unlabelled, one shared kind' | 'labelled, lineage poisoned';
  readonly poller: string;
  /** Short name for the chart. */
  readonly label: string;
}

export interface LearnedPollingResult {
  readonly seed: number;
  readonly jobs: number;
  readonly arrivalSpanSeconds: number;
  readonly kinds: typeof LABELLED_KINDS;
  readonly learned: typeof DEFAULT_LEARNED_SCHEDULE;
  readonly rows: readonly LearnedPollingRow[];
  /** The learned schedule on the labelled workload, other seeds. */
  readonly otherSeeds: readonly (LearningSummary & { readonly seed: number })[];
  /**
   * The labelled workload after a producer taught `lineage` hour-long durations
   * (`lib/poisoned-workload.ts`): the learned schedule as it is, as it was before issue 15's
   * review (no wait ceiling, no low-tail check), and the default backoff. Kept apart from `rows`
   * so the chart shows the honest workloads.
   */
  readonly poisoned: { readonly attack: typeof POISON; readonly rows: readonly LearnedPollingRow[] };
}

const project = (policy: BackoffPolicy, learn: boolean): LearningDelayFunction => (elapsedSeconds, remainingSeconds, random, durations: KindDurations | null) =>
  nextDelaySeconds(policy, { elapsedSeconds, remainingSeconds, random, durations: learn ? durations : null });
const fixed = (seconds: number): LearningDelayFunction => {
  const delay = fixedPoller(seconds);
  return (elapsed, remaining, random) => delay(elapsed, remaining, random);
};

export function runLearnedPolling(): LearnedPollingResult {
  const { policy, maxWatchSeconds } = defaultPolicy();
  const labelled = generateLabelledJobs(BENCHMARK_JOB_COUNT, BENCHMARK_SEED);
  const durations = generateDurations(BENCHMARK_JOB_COUNT, BENCHMARK_SEED);
  const unlabelled = withArrivals(durations.map((d) => ({ durationSeconds: d, kind: null })), BENCHMARK_SEED, LABELLED_ARRIVAL_SPAN_SECONDS);
  const oneKind: ArrivingJob[] = unlabelled.map((j) => ({ ...j, kind: 'unlabelled' }));
  const pollers: [string, string, LearningDelayFunction][] = [
    ['learned schedule', 'learned', project(policy, true)],
    [`default backoff (${policy.growth * 100} % of age, ${policy.initialDelaySeconds}–${policy.maxDelaySeconds} s)`, 'default', project(policy, false)],
    ['fixed 3 s', 'fixed 3 s', fixed(3)],
    ['fixed 300 s', 'fixed 300 s', fixed(300)],
  ];
  const rows: LearnedPollingRow[] = [];
  for (const [workload, jobs] of [
    ['labelled', labelled],
    ['unlabelled', unlabelled],
  ] as const) {
    for (const [poller, label, delay] of pollers) rows.push({ workload, poller, label, ...simulateLearning(jobs, delay, BENCHMARK_SEED, maxWatchSeconds) });
  }
  rows.push({ workload: 'unlabelled, one shared kind', poller: 'learned schedule', label: 'learned, one kind', ...simulateLearning(oneKind, project(policy, true), BENCHMARK_SEED, maxWatchSeconds) });
  const otherSeeds = [1, 2, 3, 4, 5].map((seed) => ({ seed, ...simulateLearning(generateLabelledJobs(BENCHMARK_JOB_COUNT, seed), project(policy, true), seed, maxWatchSeconds) }));
  const poisonedJobs = generatePoisonedJobs(BENCHMARK_JOB_COUNT, BENCHMARK_SEED);
  // As before the review: no wait ceiling (900 s is the SQS limit anyway) and no low-tail check.
  const before: BackoffPolicy = { ...policy, learned: { ...(policy.learned ?? DEFAULT_LEARNED_SCHEDULE), waitCeilingSeconds: MAX_SQS_DELAY_SECONDS, lowTailMinRatio: 0 } };
  const poisoned = {
    attack: POISON,
    rows: ([
      ['learned schedule', 'learned', project(policy, true)],
      ['learned schedule before the review (no wait ceiling, no low-tail check)', 'learned, before', project(before, true)],
      pollers[1] as [string, string, LearningDelayFunction],
    ] as const).map(([poller, label, delay]): LearnedPollingRow => ({ workload: 'labelled, lineage poisoned', poller, label, ...simulateLearning(poisonedJobs, delay, BENCHMARK_SEED, maxWatchSeconds) })),
  };
  return { poisoned, seed: BENCHMARK_SEED, jobs: BENCHMARK_JOB_COUNT, arrivalSpanSeconds: LABELLED_ARRIVAL_SPAN_SECONDS, kinds: LABELLED_KINDS, learned: DEFAULT_LEARNED_SCHEDULE, rows, otherSeeds };
}
