import { createHash } from 'node:crypto';
import { jobKey } from '../alation/job-identifier';
import type { AlationJobStatus } from '../alation/job-status';
import { parseFinishedMessage } from '../alation/parse-message';
import { parseResult } from '../alation/parse-result';
import type { JobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';
import { OUTCOME_SCHEMA, OutcomeStatus } from '../contracts/outcome-status';
import type { WatchState } from '../contracts/watch-state';

export interface BuildOutcomeInput {
  readonly reference: JobReference;
  readonly status: OutcomeStatus;
  /** Alation's last answer; null when the job ends without one (not found, or never answered). */
  readonly response: AlationJobStatus | null;
  /** The watch state including the check that ended the watch. */
  readonly watch: WatchState;
  readonly publishedAt: Date;
}

/** Builds the v1 outcome that subscribers receive. Pure: same input, same outcome. */
export function buildOutcome(input: BuildOutcomeInput): Outcome {
  const { reference, status, response, watch } = input;
  const { durationSeconds, finishedAt } = parseFinishedMessage(response?.msg);
  const { result, followUpJobIds } = parseResult(response?.result ?? null);
  return {
    schema: OUTCOME_SCHEMA,
    notificationId: notificationId(reference, status),
    job: 'id' in reference.job ? { id: reference.job.id } : { name: reference.job.name },
    kind: reference.kind,
    context: reference.context === null ? null : { ...reference.context },
    status,
    hasErrors:
      status !== OutcomeStatus.successful ||
      result.errorObjectCount > 0 ||
      (result.errorsIgnored ?? 0) > 0 ||
      result.error !== null,
    message: typeof response?.msg === 'string' && response.msg !== '' ? response.msg : null,
    durationSeconds,
    finishedAt,
    result,
    followUpJobIds,
    polls: watch.polls,
    firstSeenAt: new Date(watch.firstSeenAt).toISOString(),
    publishedAt: input.publishedAt.toISOString(),
    lastStatus: watch.lastStatus,
    lastError: watch.lastError,
    parent: reference.parent ?? null,
    // Set by the follow-up planner (follow-ups.ts), which knows whether they are watched.
    followUpsWatched: false,
  };
}

/**
 * Stable for one job's final outcome: two poll chains that both see the job end publish the
 * same id, so a receiver that missed our own duplicate suppression can still drop one.
 */
export function notificationId(reference: JobReference, status: OutcomeStatus): string {
  return createHash('sha256').update(`${jobKey(reference.job)}\n${status}`).digest('hex').slice(0, 32);
}
