import type { SQSRecord } from 'aws-lambda';
import type { AlationClient } from '../alation/client';
import { jobKey, type JobIdentifier } from '../alation/job-identifier';
import type { JobQueue } from '../aws/job-queue';
import type { OutcomePublisher } from '../aws/outcome-publisher';
import type { TokenProvider } from '../aws/token-provider';
import { parseJobReferenceBody, type JobReference } from '../contracts/job-reference';
import type { OutcomeStatus } from '../contracts/outcome';
import { AlationError, AlationErrorClass, InvalidJobReferenceError, JobWatchError } from '../errors';
import { decide, errorClassOf, type CheckResult, type WatchPolicy } from './decide';

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
}

export interface RecordDependencies {
  readonly alation: AlationClient;
  readonly tokens: TokenProvider;
  readonly jobQueue: JobQueue;
  readonly publisher: OutcomePublisher;
  readonly policy: WatchPolicy;
  readonly now: () => Date;
  readonly random: () => number;
  readonly metrics: WatchMetrics;
  /** A logger for one record, carrying its message id and (once known) its job. */
  readonly forRecord: (keys: { messageId: string; job?: string }) => RecordLog;
}

/**
 * Carries out the one decision for one SQS record. Returns when the record is done with
 * (published, re-sent, or set aside in the DLQ); throws when it must be retried, so the
 * batch reports it in `batchItemFailures` and nothing is lost.
 */
export async function processRecord(record: SQSRecord, deps: RecordDependencies): Promise<void> {
  let reference: JobReference;
  try {
    reference = parseJobReferenceBody(record.body);
  } catch (error) {
    if (!(error instanceof InvalidJobReferenceError)) throw error;
    const log = deps.forRecord({ messageId: record.messageId });
    deps.metrics.invalidMessage();
    log.error('invalid job reference: sent to the dead-letter queue', { reason: error.message });
    await deps.jobQueue.deadLetter(record.body, error.message, record.messageId);
    return;
  }

  const log = deps.forRecord({ messageId: record.messageId, job: jobKey(reference.job) });
  const check = await checkJob(reference.job, deps, log);
  const decision = decide({ reference, check, policy: deps.policy, now: deps.now(), random: deps.random() });

  if (decision.action === 'requeue') {
    await deps.jobQueue.requeue(decision.reference, decision.delaySeconds);
    deps.metrics.requeued();
    log.info('job not finished: checking again later', {
      status: decision.reference.watch?.lastStatus,
      polls: decision.reference.watch?.polls,
      delaySeconds: decision.delaySeconds,
    });
    return;
  }

  const { outcome } = decision;
  const { published, messageId } = await deps.publisher.publish(outcome);
  if (published) {
    deps.metrics.outcome(outcome.status);
    log.info('outcome published', { status: outcome.status, polls: outcome.polls, hasErrors: outcome.hasErrors, snsMessageId: messageId });
  } else {
    deps.metrics.duplicateSuppressed();
    log.warn('outcome already published by another poll chain: ending this one quietly', { status: outcome.status });
  }
}

/**
 * One status check. A refused token is re-read (or re-minted) once and the check retried
 * once: the secret may have rotated, or the minted token expired.
 */
async function checkJob(job: JobIdentifier, deps: RecordDependencies, log: RecordLog): Promise<CheckResult> {
  for (let attempt = 1; ; attempt++) {
    let token: string;
    try {
      token = await deps.tokens.getToken();
    } catch (error) {
      return failure(error, deps, log);
    }
    try {
      const { status, latencyMs } = await deps.alation.getJobStatus(job, token);
      deps.metrics.check(latencyMs);
      return { ok: true, response: status };
    } catch (error) {
      if (attempt === 1 && error instanceof AlationError && error.errorClass === AlationErrorClass.auth) {
        deps.metrics.alationError(error.errorClass);
        log.warn('Alation refused the token: reading the secret again and retrying once', { httpStatus: error.httpStatus });
        deps.tokens.invalidate(token);
        continue;
      }
      return failure(error, deps, log);
    }
  }
}

function failure(error: unknown, deps: RecordDependencies, log: RecordLog): CheckResult {
  if (!(error instanceof JobWatchError)) throw error; // a bug, not a failed check: retry the record
  const errorClass = errorClassOf(error);
  deps.metrics.alationError(errorClass);
  log.warn('status check failed', { errorClass, retryable: error.retryable, error: error.message });
  return { ok: false, error };
}
