import { randomUUID } from 'node:crypto';
import type { JobQueue } from '../aws/job-queue';
import type { OutcomePublisher, PublishResult } from '../aws/outcome-publisher';
import type { JobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';
import { buildVerdictOutcome, chainEnd, chainVerdict, memberKey, sameJob, type ChainStore } from './chain';
import { planFollowUps, type FollowUpOptions } from './follow-ups';
import type { RecordLog, WatchMetrics } from './process-record';
import type { RecordTime } from './time-budget';
import { sealReference, type WatchStateKeys } from './watch-state-seal';

/** What follow-up chains need: the switch and depth, and where chains live. */
export interface FollowUpDependencies {
  readonly options: FollowUpOptions;
  readonly chains: ChainStore;
}

export interface JobEndDependencies {
  /** Absent: follow-ups are not watched (`followUpsWatched: false`), no chain is kept. */
  readonly followUps?: FollowUpDependencies;
  readonly jobQueue: JobQueue;
  /** A follow-up's `parent` is the watcher's own state: it is sent sealed, like a re-send. */
  readonly watchStateKeys: WatchStateKeys;
  readonly publisher: OutcomePublisher;
  readonly now: () => Date;
  readonly metrics: WatchMetrics;
  /** Makes a follow-up's claim token, one per send (tests pass their own). @default randomUUID */
  readonly claimToken?: () => string;
}

/** A job's end, begun: the outcome to publish, then `finish` once it is published. */
export interface JobEnd {
  readonly outcome: Outcome;
  /**
   * After the job's own publish: records its end as published (what `publish` says was
   * published), then publishes the chain's verdict when that completed the chain (idempotent).
   * Each AWS call starts only with the time to finish it (`time`); otherwise it throws and
   * the redelivery repeats the step.
   */
  finish(published: PublishResult, time: RecordTime): Promise<void>;
}

const NOTHING_MORE = async (): Promise<void> => undefined;

/**
 * The effects of a job's end before its own outcome is published, in the order that lets a
 * redelivery repair a crash at any point (each step idempotent):
 * 1. record the end in the chain and add its follow-ups as members (one atomic write);
 * 2. send each follow-up this job registered and has not sent yet, then mark it sent;
 * 3. (the caller) publish the job's own outcome, idempotent per job;
 * 4. `finish`: record the end as published, with the status the publish says was published (a
 *    redelivery may have decided otherwise than step 1 recorded), and publish the chain's
 *    verdict if that write saw every member published, idempotent per chain.
 * Steps 1–2 run whether or not step 3 later finds the outcome already published: a parent
 * redelivered after a crash that followed its publish still sends its follow-ups.
 * A crash between a follow-up's send and its mark sends it again on redelivery; the second
 * copy, with another claim token, loses `claimFirstCheck` at its first check and ends quietly
 * (see process-record); a redrive of the first copy keeps its token and its claim.
 */
/**
 * Says so when SNS took a published outcome on a retried request: the earlier request may have
 * been carried out with its answer lost, so subscribers may receive the outcome twice (same
 * `notificationId`). Nothing else can be done about it from here; operators can see it.
 */
export function warnIfPublishRetried(sent: PublishResult, outcome: Outcome, log: RecordLog): void {
  if (sent.published && (sent.snsAttempts ?? 1) > 1) {
    log.warn('SNS took the outcome on a retried request: subscribers may receive it twice, with the same notificationId', {
      notificationId: outcome.notificationId,
      snsAttempts: sent.snsAttempts,
    });
  }
}

export async function beginJobEnd(reference: JobReference, decided: Outcome, deps: JobEndDependencies, log: RecordLog): Promise<JobEnd> {
  const followUps = deps.followUps;
  if (!followUps) return { outcome: { ...decided, followUpsWatched: false }, finish: NOTHING_MORE };
  const plan = planFollowUps(reference, decided, followUps.options);
  if (plan.notWatchedBecause) log.warn('follow-up jobs named by the result are not watched', { followUpJobIds: decided.followUpJobIds, reason: plan.notWatchedBecause });
  const root = plan.root;
  if (root === null) return { outcome: plan.outcome, finish: NOTHING_MORE };

  const { chains } = followUps;
  const state = await chains.recordEnd(root, chainEnd(plan.outcome, reference, plan.notWatchedBecause !== undefined), plan.children.map((c) => c.job));
  const members = new Map(state.members.map((m) => [memberKey(m.job), m]));
  for (const child of plan.children) {
    const member = members.get(memberKey(child.job));
    // Sent already, ended already, or registered by another parent (which sends it): not ours to send.
    if (!member || member.enqueued || member.end !== null || !sameJob(member.parent, plan.outcome.job)) continue;
    // A fresh claim token per send: a copy sent again after a crash before the mark loses the claim.
    const claimed: JobReference = { ...child, parent: { ...child.parent!, claim: (deps.claimToken ?? randomUUID)() } };
    await deps.jobQueue.requeue(sealReference(claimed, await deps.watchStateKeys.current()), 0);
    await chains.markEnqueued(root, child.job);
    deps.metrics.followUpEnqueued?.();
    log.info('follow-up job enqueued', { followUp: memberKey(child.job), depth: child.parent?.depth, root: memberKey(root) });
  }

  const recorded = chainEnd(plan.outcome, reference, plan.notWatchedBecause !== undefined);
  return {
    outcome: plan.outcome,
    async finish(published, time) {
      const stored = published.stored ?? plan.outcome;
      time.assertTimeForEffect('record the published end in the chain');
      const after = await chains.markPublished(root, { ...recorded, status: stored.status, hasErrors: stored.hasErrors, notificationId: stored.notificationId });
      const verdict = chainVerdict(after);
      if (!verdict) return;
      const outcome = buildVerdictOutcome({ root, verdict, state: after, reference, publishedAt: deps.now() });
      time.assertTimeForEffect('publish the chain verdict');
      const sent = await deps.publisher.publish(outcome);
      warnIfPublishRetried(sent, outcome, log);
      if (sent.published) {
        deps.metrics.chainVerdict?.(outcome.status);
        log.info('chain verdict published', { root: memberKey(root), status: outcome.status, jobs: verdict.jobs.length, snsMessageId: sent.messageId });
      } else {
        log.info('chain verdict already published', { root: memberKey(root), status: outcome.status });
      }
    },
  };
}
