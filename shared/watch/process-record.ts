import type { SQSRecord } from 'aws-lambda';
import type { AlationClient } from '../alation/client';
import { jobKey } from '../alation/job-identifier';
import type { JobQueue } from '../aws/job-queue';
import type { OutcomePublisher } from '../aws/outcome-publisher';
import type { TokenProvider } from '../aws/token-provider';
import { parseJobReferenceBody, type JobReference } from '../contracts/job-reference';
import type { Outcome, OutcomeStatus } from '../contracts/outcome';
import { describeError, InvalidJobReferenceError } from '../errors';
import { checkJobStatus } from './check-job';
import { decide, errorClassOf, type WatchPolicy } from './decide';
import type { KindDurations } from './duration-histogram';
import type { KindDurationStore } from './kind-duration-store';
import { outcomeDurationSeconds } from './outcome-duration';
import { memberKey } from './chain';
import { beginJobEnd, warnIfPublishRetried, type FollowUpDependencies } from './job-end';
import { newlySeenUnknownStatus, type ExtraFinalStatuses } from './statuses';
import type { InvocationWatchMetrics } from './invocation';
import { UNLIMITED_TIME, type RecordTime } from './time-budget';
import { authenticateReference, sealReference, type WatchStateKeys } from './watch-state-seal';

/** Structured log lines; every line of one record carries its job (see `forRecord`). */
export interface RecordLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What the watcher counts; the handler turns these into CloudWatch metrics (EMF). */
export interface WatchMetrics {
  check(latencyMs: number): void;
  alationError(errorClass: string): void;
  requeued(): void;
  outcome(status: OutcomeStatus): void;
  duplicateSuppressed(): void;
  invalidMessage(): void;
  /** A job reported a status the watcher has no rule for (once per job and status). */
  unknownStatus?(): void;
  followUpEnqueued?(): void;
  chainVerdict?(status: OutcomeStatus): void;
  /** A body carried watcher-owned fields (the watch state) without a seal that verifies. */
  forgedWatchState(): void;
  /**
   * Metrics for one invocation, which may hold counts until {@link InvocationWatchMetrics.flush}
   * (called when the invocation ends). Absent: these metrics are used as they are.
   */
  forInvocation?(): InvocationWatchMetrics;
}

export interface RecordDependencies {
  readonly alation: AlationClient;
  readonly tokens: TokenProvider;
  readonly jobQueue: JobQueue;
  readonly publisher: OutcomePublisher;
  readonly policy: WatchPolicy;
  /** Seal and verify the watcher's own fields in the bodies it re-sends. */
  readonly watchStateKeys: WatchStateKeys;
  readonly now: () => Date;
  readonly random: () => number;
  readonly metrics: WatchMetrics;
  /** A logger for one record, carrying its message id and (once known) its job. */
  readonly forRecord: (keys: { messageId: string; job?: string }) => RecordLog;
  /** Learned durations per kind (`learned-schedule.ts`); absent: the default backoff for every job. */
  readonly durations?: KindDurationStore | undefined;
  /** Follow-up chains (issue 14); absent: follow-ups are not watched. */
  readonly followUps?: FollowUpDependencies;
  /** Statuses an operator declared final (`EXTRA_FINAL_STATUSES`). */
  readonly extraFinalStatuses?: ExtraFinalStatuses;
}

/**
 * Carries out the one decision for one SQS record. Returns when the record is done with
 * (published, re-sent, or set aside in the DLQ); throws when it must be retried, so the
 * batch reports it in `batchItemFailures` and nothing is lost.
 *
 * `time` is the record's share of the invocation: its checks stop when `time.signal`
 * aborts, and no effect (dead-letter, re-send, publish) starts without the time to finish it.
 */
export async function processRecord(record: SQSRecord, deps: RecordDependencies, time: RecordTime = UNLIMITED_TIME): Promise<void> {
  let reference: JobReference;
  try {
    reference = parseJobReferenceBody(record.body);
  } catch (error) {
    if (!(error instanceof InvalidJobReferenceError)) throw error;
    const log = deps.forRecord({ messageId: record.messageId });
    deps.metrics.invalidMessage();
    log.error('invalid job reference: sent to the dead-letter queue', { reason: error.message });
    time.assertTimeForEffect('dead-letter');
    await deps.jobQueue.deadLetter(record.body, error.message, record.messageId);
    return;
  }

  const log = deps.forRecord({ messageId: record.messageId, job: jobKey(reference.job) });
  // Before anything else: a forged watch state must not decide anything (deadline, counters).
  const authenticated = await authenticateReference(reference, deps.watchStateKeys);
  if (authenticated.verdict === 'unsealed' || authenticated.verdict === 'forged') {
    deps.metrics.forgedWatchState();
    log.warn('watch state not sealed by this watcher: ignored, the job counts as a first sighting', {
      seal: authenticated.verdict === 'unsealed' ? 'absent' : 'does not verify',
      ignoredFields: authenticated.fields,
    });
  }
  reference = authenticated.reference;
  // A follow-up's first message may have been sent twice (a crash between the send and its
  // mark, see job-end.ts): the first copy to check it keeps it, a second copy ends here. The
  // claim token is made per send and sealed in the body, so a redrive from the DLQ (a new
  // message id, the same body) keeps the claim.
  if (reference.parent && reference.watch === null && deps.followUps) {
    const claim = reference.parent.claim ?? record.messageId;
    const claimed = await deps.followUps.chains.claimFirstCheck(reference.parent.root, reference.job, claim);
    if (!claimed) {
      deps.metrics.duplicateSuppressed();
      log.warn('follow-up already watched by another copy of its message: ending this one quietly', { root: memberKey(reference.parent.root) });
      return;
    }
  }
  // Read while Alation is asked, so learning adds no wait to a record.
  const durations = readDurations(reference, deps, log);
  const check = await checkJobStatus(reference.job, {
    alation: deps.alation,
    tokens: deps.tokens,
    signal: time.signal,
    onCheck: (latencyMs) => deps.metrics.check(latencyMs),
    onError: (error, willRetry) => {
      const errorClass = errorClassOf(error);
      deps.metrics.alationError(errorClass);
      if (willRetry) log.warn('Alation refused the token: reading the secret again and retrying once', { errorClass });
      else log.warn('status check failed', { errorClass, retryable: error.retryable, error: error.message });
    },
  });
  const decision = decide({ reference, check, policy: deps.policy, now: deps.now(), random: deps.random(), extraFinalStatuses: deps.extraFinalStatuses, durations: await durations });
  const unknownStatus = newlySeenUnknownStatus(check.ok ? check.response.status : undefined, reference.watch?.lastStatus, deps.extraFinalStatuses);
  if (unknownStatus !== undefined) {
    deps.metrics.unknownStatus?.();
    log.warn('Alation reported a status the watcher does not know: treated as running until the deadline; add it to EXTRA_FINAL_STATUSES if it is final', {
      status: unknownStatus.slice(0, 64),
    });
  }

  if (decision.action === 'requeue') {
    const sealed = sealReference(decision.reference, await deps.watchStateKeys.current());
    time.assertTimeForEffect('re-send');
    await deps.jobQueue.requeue(sealed, decision.delaySeconds);
    deps.metrics.requeued();
    log.info('job not finished: checking again later', {
      status: decision.reference.watch?.lastStatus,
      polls: decision.reference.watch?.polls,
      delaySeconds: decision.delaySeconds,
    });
    return;
  }

  // Checked before the job's end effects (chain record, follow-ups: each idempotent, repaired by
  // a redelivery) and again before the publish, the one effect a timeout must not cut.
  time.assertTimeForEffect('end the job');
  const end = await beginJobEnd(reference, decision.outcome, deps, log);
  const { outcome } = end;
  time.assertTimeForEffect('publish');
  const sent = await deps.publisher.publish(outcome);
  warnIfPublishRetried(sent, outcome, log);
  const { published, messageId } = sent;
  if (published) {
    deps.metrics.outcome(outcome.status);
    log.info('outcome published', { status: outcome.status, polls: outcome.polls, hasErrors: outcome.hasErrors, snsMessageId: messageId });
  } else {
    deps.metrics.duplicateSuppressed();
    log.warn('outcome already published by another poll chain: ending this one quietly', { status: outcome.status });
  }
  await end.finish(sent, time);
  // Learning last, once every effect that matters is done; it never throws.
  if (published) await recordDuration(outcome, deps, log);
}

/** What is known of the job's kind; a failed read is "nothing known", never a failed record. */
async function readDurations(reference: JobReference, deps: RecordDependencies, log: RecordLog): Promise<KindDurations | null> {
  if (reference.kind === null || !deps.durations) return null;
  try {
    return await deps.durations.read(reference.kind);
  } catch (error) {
    log.warn('learned durations unavailable: the default schedule applies', { kind: reference.kind, error: describeError(error) });
    return null;
  }
}

/** Teaches the schedule the published job's duration. After the publish, and never its undoing. */
async function recordDuration(outcome: Outcome, deps: RecordDependencies, log: RecordLog): Promise<void> {
  const seconds = outcomeDurationSeconds(outcome);
  if (outcome.kind === null || seconds === null || !deps.durations) return;
  try {
    const kept = await deps.durations.record(outcome.kind, seconds);
    if (!kept) log.info('duration not learned: the kind has no place among the learned kinds', { kind: outcome.kind });
  } catch (error) {
    log.warn('duration not learned: the store failed', { kind: outcome.kind, error: describeError(error) });
  }
}

