import type { Outcome } from '../contracts/outcome';
import { OutcomeStatus } from '../contracts/outcome-status';

/** Statuses whose outcome says how long the job really ran. */
const FINISHED: ReadonlySet<string> = new Set([OutcomeStatus.successful, OutcomeStatus.partiallySuccessful, OutcomeStatus.failed]);

/**
 * The duration a published outcome teaches the learned schedule, in seconds on the schedule's
 * own axis: from the watcher's first check to the job's end (`finishedAt − firstSeenAt`, 0 for a
 * job that had ended before the first check), or Alation's `durationSeconds` when the end time is
 * missing. Null for outcomes that say nothing about a duration
 * (`timed_out`, `not_found`) or that carry none: the time the watcher saw the job end is not
 * used, because it includes the schedule's own detection delay, which would feed back into it.
 */
export function outcomeDurationSeconds(outcome: Outcome): number | null {
  if (!FINISHED.has(outcome.status)) return null;
  if (outcome.finishedAt !== null) {
    const seconds = (Date.parse(outcome.finishedAt) - Date.parse(outcome.firstSeenAt)) / 1000;
    if (Number.isFinite(seconds)) return Math.max(seconds, 0);
  }
  return outcome.durationSeconds !== null && Number.isFinite(outcome.durationSeconds) ? outcome.durationSeconds : null;
}
