import type { KindDurations } from './duration-histogram';

/**
 * The port to what the watcher has learned about each kind's job durations (see
 * `learned-schedule.ts`). Declared beside the core that needs it; `shared/aws/` implements it on
 * DynamoDB, the benchmark in memory.
 *
 * Learning is an optimisation, never a dependency: a caller treats a `read` that throws as "no
 * knowledge" (the default backoff applies) and a `record` that throws as a lost sample, and
 * the record goes on to its one decision either way.
 */
export interface KindDurationStore {
  /**
   * What is known about the kind's recent durations, or null when nothing is (a kind never seen,
   * or one that could not be given a place: see the adapter's bound on kinds).
   */
  read(kind: string): Promise<KindDurations | null>;
  /**
   * Adds one finished job's duration (seconds from the watcher's first check to the job's end).
   * Resolves to false when the sample was not kept (the store is full of other kinds).
   */
  record(kind: string, seconds: number): Promise<boolean>;
  /**
   * Adds several finished jobs' durations of one kind in one write (the samples of one
   * invocation, see `duration-samples.ts`); the same as calling `record` for each, all kept or
   * none. Absent: the caller records them one by one.
   */
  recordAll?(kind: string, seconds: readonly number[]): Promise<boolean>;
}

/**
 * Adds several samples of one kind: in one write where the store can (`recordAll`), else one
 * `record` each. True when every sample was kept.
 */
export async function recordSamples(store: KindDurationStore, kind: string, seconds: readonly number[]): Promise<boolean> {
  if (store.recordAll) return store.recordAll(kind, seconds);
  return (await Promise.all(seconds.map((s) => store.record(kind, s)))).every(Boolean);
}
