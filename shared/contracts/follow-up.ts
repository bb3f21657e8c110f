import * as z from 'zod/mini';
import { OutcomeStatus } from './outcome-status';

/**
 * The contract pieces of follow-up chains (issue 14): some Alation jobs finish by handing the
 * real write to a second job, named in their result. The watcher watches those jobs too; each
 * one's reference and outcome say which job it follows, and when the whole chain has ended the
 * root gets one more notification, the chain's verdict.
 */

/** A job as outcomes name it: its id, or its (decoded) name. */
export const ChainJobSchema = z.union([
  z.strictObject({ id: z.int().check(z.positive()) }),
  z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(1024)) }),
]);
export type ChainJob = z.infer<typeof ChainJobSchema>;

/**
 * How far follow-ups are followed, at most: the root is depth 0, its follow-ups depth 1.
 * The configured depth (`FOLLOW_UP_MAX_DEPTH`) is at most this: with at most 5 follow-ups per job
 * a chain has at most 155 members, whose state fits one DynamoDB item (400 KB) with room to spare.
 */
export const MAX_FOLLOW_UP_DEPTH_LIMIT = 3;

/**
 * The job a follow-up follows. FUNCTION-OWNED, like `watch`: the watcher writes it when it
 * enqueues a follow-up; producers cannot set it (`enqueueJob` refuses it), and the seal over
 * the watcher's own state covers it.
 */
export const FollowUpParentSchema = z.strictObject({
  /** The job whose result named this one. */
  job: ChainJobSchema,
  /** The parent's outcome `notificationId`. */
  notificationId: z.string().check(z.maxLength(64)),
  /** The first job of the chain; its key keys the chain's state and its verdict. */
  root: ChainJobSchema,
  /** This job's depth in the chain: 1 for a follow-up of the root. */
  depth: z.int().check(z.minimum(1), z.maximum(MAX_FOLLOW_UP_DEPTH_LIMIT)),
  /**
   * A random token made when the parent first sends this follow-up's message; the message's
   * first check claims the follow-up's watch with it (`ChainStore.claimFirstCheck`). A copy sent
   * again after a crash carries another token and ends quietly; the same body redriven from
   * the DLQ keeps its token (the seal covers it) and keeps its claim. Never in an outcome.
   * Absent on bodies sent before it existed: their SQS message id claims instead.
   */
  claim: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type FollowUpParent = z.infer<typeof FollowUpParentSchema>;

/** The parent as an outcome names it: without the claim token, which is the watcher's own. */
export function outcomeParent(parent: FollowUpParent): FollowUpParent {
  const { claim: _claim, ...named } = parent;
  return named;
}

/** One job of a chain as the verdict lists it: how it ended on its own. */
export const ChainMemberSchema = z.strictObject({
  job: ChainJobSchema,
  status: z.enum(OutcomeStatus),
  hasErrors: z.boolean(),
  /** The job's own outcome `notificationId`. */
  notificationId: z.string(),
  depth: z.int().check(z.minimum(0)),
  /** The job it follows; null for the root. */
  parent: z.nullable(ChainJobSchema),
});
export type ChainMember = z.infer<typeof ChainMemberSchema>;

/** The chain's verdict, on the one extra notification of the root. */
export const ChainVerdictSchema = z.strictObject({
  /** The worst status of the chain (successful < partially_successful < timed_out < not_found < failed). */
  status: z.enum(OutcomeStatus),
  /** Every job of the chain, root first, then by depth. */
  jobs: z.array(ChainMemberSchema),
});
export type ChainVerdict = z.infer<typeof ChainVerdictSchema>;
