import type { AlationJobStatus } from '../alation/job-status';
import type { JobReference } from '../contracts/job-reference';
import { JobReferenceLimits } from '../contracts/limits';
import type { Outcome } from '../contracts/outcome';
import { OutcomeStatus } from '../contracts/outcome-status';
import { toSendableText } from '../contracts/sendable-text';
import { clampWatchState, MAX_STATUS_LENGTH, type WatchState } from '../contracts/watch-state';
import { AlationError, AlationErrorClass, TokenSecretError, type JobWatchError } from '../errors';
import { nextDelaySeconds, type BackoffPolicy } from './backoff';
import { buildOutcome } from './build-outcome';
import type { KindDurations } from './duration-histogram';
import { finalOutcomeStatus, type ExtraFinalStatuses } from './statuses';

/** How many "no such job" answers in a row end a watch as `not_found`. */
export const MAX_NOT_FOUND_CHECKS = 5;
/** After an auth failure or a broken secret, wait at least this long before checking again. */
export const OPERATOR_FAILURE_MIN_DELAY_SECONDS = 60;

export interface WatchPolicy extends BackoffPolicy {
  /** The deadline, counted from the first check. */
  readonly maxWatchSeconds: number;
}

/** What one status check produced: Alation's answer, or why there was none. */
export type CheckResult =
  | { readonly ok: true; readonly response: AlationJobStatus }
  | { readonly ok: false; readonly error: AlationError | JobWatchError };

/** The one decision taken for each record (see ARCHITECTURE.md, "One record, one decision"). */
export type Decision =
  | { readonly action: 'publish'; readonly outcome: Outcome }
  | { readonly action: 'requeue'; readonly delaySeconds: number; readonly reference: JobReference };

export interface DecideInput {
  readonly reference: JobReference;
  readonly check: CheckResult;
  readonly policy: WatchPolicy;
  readonly now: Date;
  /** A number in [0, 1) for the backoff's jitter. */
  readonly random: number;
  /**
   * What the watcher has learned about the job's kind, read by an adapter before `decide` runs;
   * null or absent (no kind, too few samples, a failed read): the default backoff applies.
   */
  readonly durations?: KindDurations | null | undefined;
  /** Statuses an operator declared final (`EXTRA_FINAL_STATUSES`), see `statuses.ts`. */
  readonly extraFinalStatuses?: ExtraFinalStatuses;
}

/**
 * Decides what to do with a job after one status check. Pure: no I/O, no clock, no
 * randomness of its own, so every branch (final, running, error, deadline, unknown job)
 * is tested without a network.
 */
export function decide(input: DecideInput): Decision {
  const { reference, check, policy, now } = input;
  // Claims beyond what a real watch reaches are cut back, even from a sealed state.
  const previous =
    reference.watch && clampWatchState(reference.watch, { now, maxWatchSeconds: policy.maxWatchSeconds, maxNotFoundChecks: MAX_NOT_FOUND_CHECKS });
  const firstSeenAt = previous?.firstSeenAt ?? now.toISOString();
  const elapsedSeconds = (now.getTime() - Date.parse(firstSeenAt)) / 1000;

  const watch: WatchState = {
    polls: (previous?.polls ?? 0) + 1,
    firstSeenAt,
    // A cut can split a surrogate pair: the cut text is made sendable again.
    lastStatus: check.ok ? toSendableText(check.response.status.slice(0, MAX_STATUS_LENGTH)) : (previous?.lastStatus ?? null),
    lastError: check.ok ? (previous?.lastError ?? null) : describeError(check.error),
    notFoundChecks: !check.ok && errorClassOf(check.error) === AlationErrorClass.notFound ? (previous?.notFoundChecks ?? 0) + 1 : 0,
  };
  const publish = (status: OutcomeStatus, response: AlationJobStatus | null): Decision => ({
    action: 'publish',
    outcome: buildOutcome({ reference, status, response, watch, publishedAt: now }),
  });

  const finalStatus = check.ok ? finalOutcomeStatus(check.response.status, input.extraFinalStatuses) : undefined;
  if (check.ok && finalStatus !== undefined) return publish(finalStatus, check.response);
  if (watch.notFoundChecks >= MAX_NOT_FOUND_CHECKS) return publish(OutcomeStatus.notFound, null);
  if (elapsedSeconds >= policy.maxWatchSeconds) return publish(OutcomeStatus.timedOut, check.ok ? check.response : null);

  const error = check.ok ? undefined : check.error;
  const delaySeconds = nextDelaySeconds(policy, {
    elapsedSeconds,
    remainingSeconds: policy.maxWatchSeconds - elapsedSeconds,
    retryAfterSeconds: error instanceof AlationError ? error.retryAfterSeconds : undefined,
    minimumSeconds: error && needsOperator(error) ? OPERATOR_FAILURE_MIN_DELAY_SECONDS : undefined,
    random: input.random,
    durations: input.durations,
  });
  return { action: 'requeue', delaySeconds, reference: { ...reference, watch } };
}

/** The class recorded in `lastError`: Alation's error classes, `token_secret`, or `internal`. */
export function errorClassOf(error: JobWatchError): string {
  if (error instanceof AlationError) return error.errorClass;
  return error instanceof TokenSecretError ? 'token_secret' : 'internal';
}

/**
 * A rejected token or a broken secret will not mend itself within seconds (the token was
 * already re-read once): wait longer, keep watching, and let the deadline bound it.
 */
function needsOperator(error: JobWatchError): boolean {
  return (error instanceof AlationError && error.errorClass === AlationErrorClass.auth) || (error instanceof TokenSecretError && !error.retryable);
}

function describeError(error: JobWatchError): WatchState['lastError'] {
  return {
    errorClass: errorClassOf(error),
    message: toSendableText(error.message.slice(0, JobReferenceLimits.maxErrorMessageLength)),
  };
}
