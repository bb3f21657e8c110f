import { createHash } from 'node:crypto';
import { jobKey } from '../alation/job-identifier';
import { parseResult } from '../alation/parse-result';
import type { ChainJob, ChainMember, ChainVerdict } from '../contracts/follow-up';
import type { JobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';
import { OUTCOME_SCHEMA, OutcomeStatus } from '../contracts/outcome-status';
import { STATUS_SEVERITY } from './statuses';

/** One job's end as the chain records it: its own outcome, in short. */
export interface ChainEnd extends ChainMember {
  readonly polls: number;
  readonly firstSeenAt: string;
  /**
   * Its result named follow-ups the chain does not watch (too deep, more than 5): the write
   * it handed on is unknown, so the chain cannot be a clean success. Absent on ends recorded
   * before it existed.
   */
  readonly unwatchedFollowUps?: boolean;
}

/** A job of a chain: known once its parent ended, ended once its own outcome is decided. */
export interface ChainMemberState {
  readonly job: ChainJob;
  readonly depth: number;
  /** Null for the root. */
  readonly parent: ChainJob | null;
  /** Its follow-up message was sent (by the parent that registered it). */
  readonly enqueued: boolean;
  /** Its end: the first recorded, replaced by the published one once published; null while it is watched. */
  readonly end: ChainEnd | null;
  /**
   * Its own outcome is published and `end` says what was published. Ends are recorded before
   * the publish (so a redelivery repairs a crash), and a redelivery may decide differently
   * (a job that times out, fails to publish, then finishes): only published ends make a verdict.
   */
  readonly published: boolean;
}

/** A chain as the store holds it after a write. */
export interface ChainState {
  readonly members: readonly ChainMemberState[];
}

/**
 * Where chains live (port; `shared/aws/chain-store.ts` implements it on DynamoDB). Every write
 * is idempotent and conditional, so redelivered and concurrent records converge.
 */
export interface ChainStore {
  /**
   * Records a job's end in the chain of `root` (the first end recorded for a job wins) and
   * adds its follow-ups as members, in one atomic write: a chain whose members have all ended
   * can therefore gain no member later. Returns the chain after the write.
   */
  recordEnd(root: ChainJob, end: ChainEnd, children: readonly ChainJob[]): Promise<ChainState>;
  /**
   * Records a job's end as its published outcome has it (replacing the end `recordEnd` kept),
   * after that publish. Returns the chain after the write: the write after which every member
   * is published is the one that completes the chain.
   */
  markPublished(root: ChainJob, end: ChainEnd): Promise<ChainState>;
  /** Notes that a follow-up's message was sent, so a redelivered parent does not send it again. */
  markEnqueued(root: ChainJob, child: ChainJob): Promise<void>;
  /**
   * Claims the watch of a follow-up for one first message, by its `claim` token (made when the
   * parent sent it, sealed in the body: a redelivery and a redrive from the DLQ keep it; bodies
   * without one use their SQS message id). False when another token already claimed it: a
   * second copy of the follow-up's first message, sent again after a crash, which must end quietly.
   */
  claimFirstCheck(root: ChainJob, job: ChainJob, claim: string): Promise<boolean>;
}

/** The member key chains use: the job key (`id:70`, `name:…`). */
export function memberKey(job: ChainJob): string {
  return jobKey(job);
}

export function sameJob(a: ChainJob | null, b: ChainJob | null): boolean {
  return a !== null && b !== null && memberKey(a) === memberKey(b);
}

/** The worst of some statuses (see `STATUS_SEVERITY`). */
export function worstStatus(statuses: readonly OutcomeStatus[]): OutcomeStatus {
  return statuses.reduce<OutcomeStatus>((worst, s) => (STATUS_SEVERITY[s] > STATUS_SEVERITY[worst] ? s : worst), OutcomeStatus.successful);
}

/**
 * The chain's verdict once every member's own outcome is published; undefined while any is
 * not. Its status is the worst of the members' published ones, and at least
 * `partially_successful` when a member named follow-ups the chain does not watch: an
 * unwatched write is never reported as a success.
 */
export function chainVerdict(state: ChainState): ChainVerdict | undefined {
  if (state.members.length < 2 || state.members.some((m) => m.end === null || !m.published)) return undefined;
  const ends = state.members
    .map((m) => m.end!)
    .sort((a, b) => a.depth - b.depth || memberKey(a.job).localeCompare(memberKey(b.job)));
  return {
    status: worstStatus([...ends.map((e) => e.status), ...(ends.some((e) => e.unwatchedFollowUps === true) ? [OutcomeStatus.partiallySuccessful] : [])]),
    jobs: ends.map(({ job, status, hasErrors, notificationId, depth, parent }) => ({ job, status, hasErrors, notificationId, depth, parent })),
  };
}

/** The chain's end entry for a job's outcome; `unwatchedFollowUps`: it named follow-ups that are not watched. */
export function chainEnd(outcome: Outcome, reference: JobReference, unwatchedFollowUps = false): ChainEnd {
  return {
    job: outcome.job,
    status: outcome.status,
    hasErrors: outcome.hasErrors,
    notificationId: outcome.notificationId,
    depth: reference.parent?.depth ?? 0,
    parent: reference.parent?.job ?? null,
    polls: outcome.polls,
    firstSeenAt: outcome.firstSeenAt,
    unwatchedFollowUps,
  };
}

/**
 * The one extra notification of the root: an outcome of the root job (so every v1 subscriber
 * can read it) whose `status` and `hasErrors` are the chain's, `polls` the chain's total and
 * `firstSeenAt` the root's, with `chain` listing each job's own end. Its `notificationId`
 * differs from the root's own outcome and is stable, so duplicates can be dropped.
 * `kind` and `context` are the root's: every follow-up carries them.
 */
export function buildVerdictOutcome(input: {
  readonly root: ChainJob;
  readonly verdict: ChainVerdict;
  readonly state: ChainState;
  readonly reference: JobReference;
  readonly publishedAt: Date;
}): Outcome {
  const { root, verdict, state } = input;
  const ends = state.members.map((m) => m.end!);
  const rootEnd = ends.find((e) => sameJob(e.job, root));
  return {
    schema: OUTCOME_SCHEMA,
    notificationId: verdictNotificationId(root, verdict.status),
    job: root,
    kind: input.reference.kind,
    context: input.reference.context === null ? null : { ...input.reference.context },
    status: verdict.status,
    hasErrors: verdict.status !== OutcomeStatus.successful || ends.some((e) => e.hasErrors),
    // Alation's words belong to each job's own outcome; `chain.jobs` says how each ended.
    message: null,
    durationSeconds: null,
    finishedAt: null,
    result: parseResult(null).result,
    followUpJobIds: [],
    polls: ends.reduce((sum, e) => sum + e.polls, 0),
    firstSeenAt: rootEnd?.firstSeenAt ?? ends.map((e) => e.firstSeenAt).sort()[0]!,
    publishedAt: input.publishedAt.toISOString(),
    lastStatus: null,
    lastError: null,
    parent: null,
    followUpsWatched: true,
    chain: verdict,
  };
}

/** Stable per chain and verdict; never equal to a job's own `notificationId`. */
export function verdictNotificationId(root: ChainJob, status: OutcomeStatus): string {
  return createHash('sha256').update(`${memberKey(root)}\nchain\n${status}`).digest('hex').slice(0, 32);
}

/**
 * The idempotency key of a publish: the job for its own outcome, the chain for a verdict, so
 * the root's outcome and its chain's verdict are each published once.
 */
export function publishKey(outcome: Outcome): string {
  return outcome.chain ? `chain#${jobKey(outcome.job)}` : jobKey(outcome.job);
}
