import { OutcomeStatus } from '../../contracts/outcome';

/** Where a watch session stands, as the live view shows it. */
export interface ProgressSnapshot {
  readonly elapsedMs: number;
  /** The watch deadline, shown so the reader knows when the last job must end. */
  readonly deadlineSeconds: number;
  /** Jobs enqueued (valid and invalid messages). */
  readonly watched: number;
  /** Jobs that got an outcome or were dead-lettered. */
  readonly finished: number;
  /** Finished jobs by outcome status, plus `dead_lettered`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Status checks so far: records the event source mapping handed to the handler. */
  readonly polls: number;
  /** Handler invocations so far. */
  readonly batches: number;
}

/** Statuses in the order the view lists them, so the line does not jump about. */
export const STATUS_ORDER = [...Object.values(OutcomeStatus), 'dead_lettered'] as const;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The counts by status, zeros included, e.g. `successful 3 · failed 1 · …`. */
export function statusCounts(byStatus: Readonly<Record<string, number>>): string {
  return STATUS_ORDER.map((status) => `${status} ${byStatus[status] ?? 0}`).join(' · ');
}

/** The lines of the live view (TTY): redrawn in place. */
export function renderProgress(snapshot: ProgressSnapshot): string[] {
  const running = snapshot.watched - snapshot.finished;
  return [
    `── ${seconds(snapshot.elapsedMs)} elapsed · deadline ${snapshot.deadlineSeconds} s per job ──`,
    `jobs   ${snapshot.watched} watched · ${snapshot.finished} finished · ${running} still watched`,
    `status ${statusCounts(snapshot.byStatus)}`,
    `polls  ${snapshot.polls} status checks in ${snapshot.batches} batches`,
  ];
}

/** One line for logs and CI, where the view cannot be redrawn. */
export function renderProgressLine(snapshot: ProgressSnapshot): string {
  return (
    `[${seconds(snapshot.elapsedMs).padStart(7)}] ${snapshot.finished}/${snapshot.watched} finished · ` +
    `${statusCounts(snapshot.byStatus)} · ${snapshot.polls} polls`
  );
}
