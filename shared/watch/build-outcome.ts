import { createHash } from 'node:crypto';
import { keepText } from '../alation/error-object';
import { jobKey } from '../alation/job-identifier';
import type { AlationJobStatus } from '../alation/job-status';
import { parseFinishedMessage } from '../alation/parse-message';
import { ResultParseLimits } from '../alation/parse-limits';
import { parseResult, unreadResult, type ParsedResult } from '../alation/parse-result';
import { outcomeParent } from '../contracts/follow-up';
import type { JobReference } from '../contracts/job-reference';
import type { Outcome, OutcomeResult } from '../contracts/outcome';
import { OUTCOME_SCHEMA, OutcomeStatus } from '../contracts/outcome-status';
import type { WatchState } from '../contracts/watch-state';
import { describeError } from '../errors';

export interface BuildOutcomeInput {
  readonly reference: JobReference;
  readonly status: OutcomeStatus;
  /** Alation's last answer; null when the job ends without one (not found, or never answered). */
  readonly response: AlationJobStatus | null;
  /** The watch state including the check that ended the watch. */
  readonly watch: WatchState;
  readonly publishedAt: Date;
}

export interface BuildOutcomeDependencies {
  /** @default parseResult */
  readonly parseResult: (raw: unknown) => ParsedResult;
}

const defaults: BuildOutcomeDependencies = { parseResult };

/**
 * Builds the v1 outcome that subscribers receive. Pure: same input, same outcome.
 *
 * It never throws. The status is known before anything is parsed, and it is the one thing
 * an outcome must carry: should reading the result, or anything else, fail, the outcome
 * still goes out with the true status, `hasErrors: true` and the reason in
 * `result.parseError`, rather than the job being retried into the DLQ with no outcome.
 */
export function buildOutcome(input: BuildOutcomeInput, deps: BuildOutcomeDependencies = defaults): Outcome {
  try {
    return build(input, deps);
  } catch (error) {
    return minimalOutcome(input, `the outcome could not be built: ${describe(error)}`);
  }
}

function build(input: BuildOutcomeInput, deps: BuildOutcomeDependencies): Outcome {
  const { reference, status, response, watch } = input;
  const msg = typeof response?.msg === 'string' && response.msg !== '' ? keepText(response.msg, ResultParseLimits.maxTextChars) : null;
  const { durationSeconds, finishedAt } = parseFinishedMessage(msg);
  let parsed: ParsedResult;
  try {
    parsed = response?.resultOmitted
      ? // Too large to decode: the status is true, the result unknown (parseError set, so hasErrors is true).
        { result: unreadResult(`the result was not read: ${response.resultOmitted.reason}; only the answer's "status" and "msg" were`), followUpJobIds: [] }
      : deps.parseResult(response?.result ?? null);
  } catch (error) {
    parsed = { result: unreadResult(`the result could not be read: ${describe(error)}`), followUpJobIds: [] };
  }
  const { result, followUpJobIds } = parsed;
  return {
    schema: OUTCOME_SCHEMA,
    notificationId: notificationId(reference, status),
    job: 'id' in reference.job ? { id: reference.job.id } : { name: reference.job.name },
    kind: reference.kind,
    context: reference.context === null ? null : { ...reference.context },
    status,
    hasErrors: hasErrors(status, result),
    message: msg,
    durationSeconds,
    finishedAt,
    result,
    followUpJobIds,
    polls: watch.polls,
    firstSeenAt: isoOr(watch.firstSeenAt, input.publishedAt),
    publishedAt: isoOr(input.publishedAt, new Date(0)),
    lastStatus: watch.lastStatus,
    lastError: watch.lastError,
    parent: reference.parent ? outcomeParent(reference.parent) : null,
    // Set by the follow-up planner (follow-ups.ts), which knows whether they are watched.
    followUpsWatched: false,
  };
}

/**
 * True unless the job ended cleanly: any status but `successful`, error objects, ignored
 * errors, an error text, a stated failure count above zero, or a result that could not be read.
 */
export function hasErrors(status: OutcomeStatus, result: OutcomeResult): boolean {
  return (
    status !== OutcomeStatus.successful ||
    result.errorObjectCount > 0 ||
    (result.errorsIgnored ?? 0) > 0 ||
    result.error !== null ||
    (result.failedCount ?? 0) > 0 ||
    (result.parseError ?? null) !== null
  );
}

/**
 * Stable for one job's final outcome: two poll chains that both see the job end publish the
 * same id, so a receiver that missed our own duplicate suppression can still drop one.
 */
export function notificationId(reference: JobReference, status: OutcomeStatus): string {
  return createHash('sha256').update(`${jobKey(reference.job)}\n${status}`).digest('hex').slice(0, 32);
}

/** The outcome when building it failed: every field read defensively, the status as given. */
function minimalOutcome(input: BuildOutcomeInput, reason: string): Outcome {
  const { reference, status, watch } = input;
  const publishedAt = isoOr(input.publishedAt, new Date(0));
  return {
    schema: OUTCOME_SCHEMA,
    notificationId: attempt(() => notificationId(reference, status), () => createHash('sha256').update(`unknown\n${status}`).digest('hex').slice(0, 32)),
    job: attempt<Outcome['job']>(
      () => ('id' in reference.job ? { id: reference.job.id } : { name: keepText(reference.job.name, 1000) }),
      () => ({ name: 'unknown' }),
    ),
    kind: attempt(() => (typeof reference.kind === 'string' ? keepText(reference.kind, 128) : null), () => null),
    context: attempt(() => (reference.context === null ? null : (JSON.parse(JSON.stringify(reference.context)) as Record<string, unknown>)), () => null),
    status,
    hasErrors: true,
    message: null,
    durationSeconds: null,
    finishedAt: null,
    result: unreadResult(reason),
    followUpJobIds: [],
    polls: attempt(() => (Number.isSafeInteger(watch.polls) && watch.polls >= 0 ? watch.polls : 0), () => 0),
    firstSeenAt: attempt(() => isoOr(watch.firstSeenAt, new Date(publishedAt)), () => publishedAt),
    publishedAt,
    lastStatus: attempt(() => (typeof watch.lastStatus === 'string' ? keepText(watch.lastStatus, 64) : null), () => null),
    lastError: attempt(
      () =>
        watch.lastError === null
          ? null
          : { errorClass: keepText(String(watch.lastError.errorClass), 32), message: keepText(String(watch.lastError.message), 1000) },
      () => null,
    ),
    parent: attempt(() => (reference.parent ? outcomeParent(reference.parent) : null), () => null),
    followUpsWatched: false,
  };
}

/** ISO-8601 of a date (or date string), or of `fallback` when it is not a valid date. */
function isoOr(value: Date | string, fallback: Date): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? fallback.toISOString() : date.toISOString();
}

function attempt<T>(read: () => T, fallback: () => T): T {
  try {
    return read();
  } catch {
    return fallback();
  }
}

function describe(error: unknown): string {
  return attempt(() => describeError(error).slice(0, 500), () => 'unknown error');
}
