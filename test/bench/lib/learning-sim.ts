import { MAX_SQS_DELAY_SECONDS } from '../../../shared/config';
import { addSample, combineEras, DEFAULT_HALF_LIFE_SECONDS, type EraCounts, type KindDurations } from '../../../shared/watch/duration-histogram';
import type { ArrivingJob } from './labelled-workload';
import type { MaybeMislabelledJob } from './poisoned-workload';
import { seededRandom } from './random';
import { mean, percentile } from './stats';

/** The next `DelaySeconds` after a check found the job running; `durations` is what the schedule knows of its kind. */
export type LearningDelayFunction = (elapsedSeconds: number, remainingSeconds: number, random: number, durations: KindDurations | null) => number;

export interface LearningSummary {
  readonly jobs: number;
  readonly meanPolls: number;
  readonly totalPolls: number;
  readonly p50DelaySeconds: number;
  readonly p95DelaySeconds: number;
  readonly maxDelaySeconds: number;
  /** p95 of (detection delay ÷ job duration). */
  readonly p95DelayShareOfDuration: number;
  readonly timedOut: number;
  /** The largest detection delay of a job whose kind was its own (all jobs, unless some were mislabelled). */
  readonly maxDelayGenuineSeconds: number;
  /** Jobs whose kind was their own, seen more than 70 s (the default backoff's longest wait) after they ended. */
  readonly genuineLaterThanDefault: number;
  /** The same, by kind. */
  readonly genuineLaterThanDefaultByKind: Readonly<Record<string, number>>;
  /** Mean checks per job, by kind. */
  readonly meanPollsByKind: Readonly<Record<string, number>>;
}

/** Virtual start of the run (any date; it fixes where era boundaries fall). */
const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * Watches every job of an arriving workload in one shared virtual timeline, as the deployed
 * watcher does: each job is first checked when it arrives, re-sent with the poller's whole-second
 * `DelaySeconds` while running, and when a check sees it finished its duration is added to its
 * kind's histogram (the real `addSample`/`combineEras`), which every later decision reads. So the
 * schedule starts cold and learns only from outcomes published earlier in the run: no oracle.
 * Checks are instantaneous; the store is read fresh at each decision (the deployed cache can be
 * up to a minute stale, which at this arrival rate changes a handful of samples).
 */
export function simulateLearning(jobs: readonly MaybeMislabelledJob[], delay: LearningDelayFunction, seed: number, maxWatchSeconds: number): LearningSummary {
  const random = seededRandom(seed);
  const store = new Map<string, EraCounts[]>();
  const clock = { halfLifeSeconds: DEFAULT_HALF_LIFE_SECONDS };
  const polls = new Array<number>(jobs.length).fill(0);
  const delays: number[] = [];
  const shares: number[] = [];
  let timedOut = 0;
  let maxDelayGenuineSeconds = 0;
  let genuineLaterThanDefault = 0;
  const genuineLaterThanDefaultByKind: Record<string, number> = {};
  const heap = new MinHeap();
  jobs.forEach((job, i) => heap.push(job.arrivalSeconds, i));
  for (let next = heap.pop(); next !== undefined; next = heap.pop()) {
    const [t, i] = next;
    const job = jobs[i] as MaybeMislabelledJob;
    const elapsed = t - job.arrivalSeconds;
    polls[i] = (polls[i] as number) + 1;
    if (elapsed >= job.durationSeconds) {
      delays.push(elapsed - job.durationSeconds);
      if (!job.mislabelled) {
        maxDelayGenuineSeconds = Math.max(maxDelayGenuineSeconds, elapsed - job.durationSeconds);
        if (elapsed - job.durationSeconds > 70) {
          genuineLaterThanDefault++;
          const kind = job.kind ?? '(none)';
          genuineLaterThanDefaultByKind[kind] = (genuineLaterThanDefaultByKind[kind] ?? 0) + 1;
        }
      }
      shares.push((elapsed - job.durationSeconds) / job.durationSeconds);
      if (job.kind !== null) store.set(job.kind, addSample(store.get(job.kind) ?? [], job.durationSeconds, EPOCH_MS + t * 1000, clock));
      continue;
    }
    if (elapsed >= maxWatchSeconds) {
      timedOut++;
      continue;
    }
    const eras = job.kind === null ? undefined : store.get(job.kind);
    const durations = eras ? combineEras(eras, EPOCH_MS + t * 1000, clock) : null;
    const d = delay(elapsed, maxWatchSeconds - elapsed, random(), durations);
    if (!Number.isInteger(d) || d < 0 || d > MAX_SQS_DELAY_SECONDS) throw new RangeError(`DelaySeconds ${d} is not a whole number in 0–900`);
    heap.push(t + d, i);
  }
  const byKind: Record<string, number[]> = {};
  jobs.forEach((job, i) => (byKind[job.kind ?? '(none)'] ??= []).push(polls[i] as number));
  return {
    jobs: jobs.length,
    meanPolls: mean(polls),
    totalPolls: polls.reduce((a, b) => a + b, 0),
    p50DelaySeconds: percentile(delays, 50),
    p95DelaySeconds: percentile(delays, 95),
    maxDelaySeconds: Math.max(...delays),
    p95DelayShareOfDuration: percentile(shares, 95),
    timedOut,
    maxDelayGenuineSeconds,
    genuineLaterThanDefault,
    genuineLaterThanDefaultByKind,
    meanPollsByKind: Object.fromEntries(Object.entries(byKind).map(([kind, p]) => [kind, mean(p)])),
  };
}

/** A binary min-heap of (time, job) events; ties go to the lower job index, so runs repeat exactly. */
class MinHeap {
  private readonly items: [number, number][] = [];

  push(time: number, job: number): void {
    const items = this.items;
    items.push([time, job]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [items[i], items[parent]] = [items[parent] as [number, number], items[i] as [number, number]];
      i = parent;
    }
  }

  pop(): [number, number] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.less(l, m)) m = l;
      if (r < items.length && this.less(r, m)) m = r;
      if (m === i) return top;
      [items[i], items[m]] = [items[m] as [number, number], items[i] as [number, number]];
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    const [ta, ja] = this.items[a] as [number, number];
    const [tb, jb] = this.items[b] as [number, number];
    return ta < tb || (ta === tb && ja < jb);
  }
}
