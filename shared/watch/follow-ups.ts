import type { JobIdentifier } from '../alation/job-identifier';
import type { ChainJob } from '../contracts/follow-up';
import type { JobReference } from '../contracts/job-reference';
import type { Outcome } from '../contracts/outcome';

/** Whether and how far follow-up jobs are watched (`WATCH_FOLLOW_UPS`, `FOLLOW_UP_MAX_DEPTH`). */
export interface FollowUpOptions {
  /** @default true */
  readonly enabled: boolean;
  /** Deepest follow-up watched: 1 watches the root's follow-ups only. @default 3 */
  readonly maxDepth: number;
}

export const DEFAULT_FOLLOW_UP_OPTIONS: FollowUpOptions = { enabled: true, maxDepth: 3 };

/**
 * A result naming more follow-ups than this has none watched (`followUpsWatched: false`):
 * real results name one. With the depth bound (at most 5 + 25 + 125 members at depth 3) it keeps a chain's state far below DynamoDB's 400 KB item.
 */
export const MAX_FOLLOW_UPS_PER_JOB = 5;

/** What ending one job means for follow-ups. Pure: no I/O. */
export interface FollowUpPlan {
  /** The outcome to publish, `followUpsWatched` set. */
  readonly outcome: Outcome;
  /** The follow-ups to enqueue, each once (fresh references, `parent` set). */
  readonly children: readonly JobReference[];
  /** The chain this job's end belongs to (its root), or null when it is in none. */
  readonly root: ChainJob | null;
  /** Why the follow-ups the result names are not watched, when they are not. */
  readonly notWatchedBecause?: string;
}

/** The job as outcomes and chains name it. */
export function chainJob(job: JobIdentifier): ChainJob {
  return 'id' in job ? { id: job.id } : { name: job.name };
}

/**
 * Decides which follow-ups of a job that ended are watched. Each child carries the parent's
 * kind and context and a `parent` naming the parent, its outcome and the chain's root; the
 * depth bound and the per-job bound stop runaway chains, and a result naming the job itself
 * (or one id several times, as Allie-SDK's live log shows) yields each job once.
 */
export function planFollowUps(reference: JobReference, outcome: Outcome, options: FollowUpOptions): FollowUpPlan {
  const depth = reference.parent?.depth ?? 0;
  const own = 'id' in reference.job ? reference.job.id : undefined;
  const ids = [...new Set(outcome.followUpJobIds)].filter((id) => id !== own);
  const inChain = reference.parent ? reference.parent.root : null;

  const notWatched = (because: string | undefined): FollowUpPlan => ({
    outcome: { ...outcome, followUpsWatched: false },
    children: [],
    root: inChain,
    ...(because !== undefined && { notWatchedBecause: because }),
  });
  if (ids.length === 0) return notWatched(undefined);
  if (!options.enabled) return notWatched('watching follow-ups is switched off (WATCH_FOLLOW_UPS=false)');
  if (depth >= options.maxDepth) return notWatched(`the chain is already ${depth} deep (FOLLOW_UP_MAX_DEPTH=${options.maxDepth})`);
  if (ids.length > MAX_FOLLOW_UPS_PER_JOB) return notWatched(`the result names ${ids.length} follow-ups; at most ${MAX_FOLLOW_UPS_PER_JOB} are watched`);

  const self = chainJob(reference.job);
  const root = inChain ?? self;
  const children = ids.map(
    (id): JobReference => ({
      job: { id },
      kind: reference.kind,
      context: reference.context,
      watch: null,
      parent: { job: self, notificationId: outcome.notificationId, root, depth: depth + 1 },
    }),
  );
  return { outcome: { ...outcome, followUpsWatched: true }, children, root };
}
