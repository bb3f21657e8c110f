import { cutText } from '../contracts/sendable-text';
import { FINAL_ALATION_STATUSES, isFinalStatus } from '../alation/job-status';
import { OutcomeStatus } from '../contracts/outcome-status';
import { MAX_STATUS_LENGTH } from '../contracts/watch-state';

/**
 * What the watcher does with each status Alation may report (docs/contracts.md lists the same):
 * - `successful`, `partially_successful`, `failed`: final, published as they are;
 * - `running`: checked again later, until the deadline (`timed_out`);
 * - a status an operator declared final (`EXTRA_FINAL_STATUSES`): final, published as the
 *   outcome status it was mapped to, with Alation's word in `lastStatus`;
 * - anything else: unknown, treated as running until the deadline, and reported once per job
 *   (a log line and the `UnknownStatuses` metric) so an operator can teach it.
 */

/** The outcome statuses an extra final status may map to: Alation's own final ones. */
export type MappableOutcomeStatus = (typeof FINAL_ALATION_STATUSES)[number];

/** Alation's word → the outcome status it is published as. */
export type ExtraFinalStatuses = ReadonlyMap<string, MappableOutcomeStatus>;

/** The status of a job that is not finished: the one word that must never be declared final. */
export const RUNNING_STATUS = 'running';

/**
 * The word a status is matched by: Alation's statuses are lower-case words, and an answer that
 * says `Successful` or `failed\n` means the same job state. Treating such a variant as unknown
 * would watch a finished job until its deadline and publish `timed_out` instead of its truth.
 * Only short texts are folded: a status longer than any word is unknown as it is.
 */
export function statusWord(status: string): string {
  return status.length > MAX_STATUS_LENGTH * 2 ? status : status.trim().toLowerCase();
}

/** The outcome status a final status is published as, or undefined while the job is not final. */
export function finalOutcomeStatus(status: string, extra: ExtraFinalStatuses | undefined): OutcomeStatus | undefined {
  const word = statusWord(status);
  if (isFinalStatus(word)) return word;
  return extra?.get(word);
}

/** True for a status the watcher has no rule for: neither running, final, nor declared final. */
export function isUnknownStatus(status: string, extra: ExtraFinalStatuses | undefined): boolean {
  return statusWord(status) !== RUNNING_STATUS && finalOutcomeStatus(status, extra) === undefined;
}

/**
 * The unknown status a check newly reports for a job, if any: one the job's watch state does
 * not already remember as its last status. This is what makes "log once per job" need no
 * state of its own (a job whose status changes to another unknown word is reported again).
 */
export function newlySeenUnknownStatus(
  status: string | undefined,
  lastStatus: string | null | undefined,
  extra: ExtraFinalStatuses | undefined,
): string | undefined {
  if (status === undefined || !isUnknownStatus(status, extra)) return undefined;
  return status.slice(0, MAX_STATUS_LENGTH) === lastStatus ? undefined : status;
}

// Alation's statuses are lower-case words with underscores; anything else is a typo in the list.
const STATUS_WORD = /^[a-z][a-z0-9_-]*$/;
const MAPPABLE: readonly string[] = FINAL_ALATION_STATUSES;

/**
 * Reads `EXTRA_FINAL_STATUSES`: a comma-separated list of `status:outcome`, e.g.
 * `completed:successful,cancelled:failed`. Every problem is reported, not just the first.
 */
export function parseExtraFinalStatuses(text: string | undefined): { statuses: ExtraFinalStatuses; problems: string[] } {
  const statuses = new Map<string, MappableOutcomeStatus>();
  const problems: string[] = [];
  if (text === undefined || text.trim() === '') return { statuses, problems };
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const [word = '', target, ...rest] = entry.split(':').map((p) => p.trim());
    const shown = JSON.stringify(cutText(entry, 80));
    if (target === undefined || rest.length > 0) {
      problems.push(`${shown} must be status:outcome, e.g. completed:successful`);
    } else if (!STATUS_WORD.test(word) || word.length > MAX_STATUS_LENGTH) {
      problems.push(`${shown}: the status must be a lower-case word of at most ${MAX_STATUS_LENGTH} characters`);
    } else if (word === RUNNING_STATUS || isFinalStatus(word)) {
      problems.push(`${shown}: ${word} is already known (${word === RUNNING_STATUS ? 'not finished' : 'final'})`);
    } else if (!MAPPABLE.includes(target)) {
      problems.push(`${shown}: the outcome must be one of ${MAPPABLE.join(', ')}`);
    } else if (statuses.has(word)) {
      problems.push(`${shown}: ${word} is listed twice`);
    } else {
      statuses.set(word, target as MappableOutcomeStatus);
    }
  }
  return { statuses, problems };
}

/** How bad an outcome status is, for a chain's verdict: the worst member decides. */
export const STATUS_SEVERITY: Readonly<Record<OutcomeStatus, number>> = {
  [OutcomeStatus.successful]: 0,
  [OutcomeStatus.partiallySuccessful]: 1,
  [OutcomeStatus.timedOut]: 2,
  [OutcomeStatus.notFound]: 3,
  [OutcomeStatus.failed]: 4,
};
