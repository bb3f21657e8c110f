import * as z from 'zod/mini';
import { ChainVerdictSchema, FollowUpParentSchema } from './follow-up';
import { OUTCOME_SCHEMA, OutcomeStatus } from './outcome-status';

export { OUTCOME_SCHEMA, OutcomeStatus } from './outcome-status';

/** One entry of Alation's `error_objects`, split when it reads `Line N. Key: K. message`. */
export const ErrorObjectSchema = z.strictObject({
  line: z.nullable(z.int()),
  key: z.nullable(z.string()),
  message: z.string(),
});
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;

const count = z.nullable(z.int().check(z.minimum(0)));

/** Alation's `result`, parsed. Counts are null when the result did not state them. */
export const OutcomeResultSchema = z.strictObject({
  updatedObjects: count,
  numberReceived: count,
  /**
   * Objects the result says were created ("1 new object(s) created", `created_term_count`).
   * Added in v1.1: absent from outcomes published before it.
   */
  createdCount: z.optional(count),
  /**
   * Items the result says failed ("[Succeeded: 0, Failed: 2, Total: 2]", "Error count: 3",
   * `failure_count`). Above zero makes `hasErrors` true. Added in v1.1.
   */
  failedCount: z.optional(count),
  /** May be cut to keep a notification under SNS's 256 KB limit; see `errorObjectCount`. */
  errorObjects: z.array(ErrorObjectSchema),
  /** How many error objects Alation reported, even when `errorObjects` was cut. */
  errorObjectCount: z.int().check(z.minimum(0)),
  errorsIgnored: count,
  /** Alation's `error` text when it is not the "N errors were ignored" count. */
  error: z.nullable(z.string()),
  newEventsIngested: count,
  previouslyIngestedSkipped: count,
  /** The result as text, when Alation sent text rather than JSON. */
  text: z.nullable(z.string()),
  /** The result decoded from JSON (object, list, or scalar), or null. */
  data: z.unknown(),
  /**
   * True when parts of the result were cut: by the parser's budgets (characters scanned,
   * values walked, nesting) or so the notification fits SNS's 256 KB limit. `errorObjectCount`
   * and counts read from JSON fields are complete; counts read from prose cover the first
   * MiB of text.
   */
  truncated: z.boolean(),
  /**
   * Why the result could not be read, when it could not (the outcome still carries the
   * job's true status); null otherwise. Added in v1.1.
   */
  parseError: z.optional(z.nullable(z.string())),
});
export type OutcomeResult = z.infer<typeof OutcomeResultSchema>;

/** The job as the producer named it: its integer id or its (decoded) name. */
export const OutcomeJobSchema = z.union([
  z.strictObject({ id: z.int().check(z.positive()) }),
  z.strictObject({ name: z.string().check(z.minLength(1)) }),
]);

/**
 * The JSON that subscribers receive, version 1 (the public output contract).
 * Field names are part of the contract: add fields, never rename or remove them.
 */
export const OutcomeSchema = z.strictObject({
  schema: z.literal(OUTCOME_SCHEMA),
  /** Stable for one job's final outcome, so receivers can drop duplicates. */
  notificationId: z.string(),
  job: OutcomeJobSchema,
  kind: z.nullable(z.string()),
  context: z.nullable(z.record(z.string(), z.unknown())),
  status: z.enum(OutcomeStatus),
  /** True unless the job ended cleanly: failed, timed out, not found, or finished with errors. */
  hasErrors: z.boolean(),
  /** Alation's `msg`, as sent. */
  message: z.nullable(z.string()),
  durationSeconds: z.nullable(z.number().check(z.minimum(0))),
  /** When Alation says the job finished (ISO-8601, UTC). */
  finishedAt: z.nullable(z.iso.datetime()),
  result: OutcomeResultSchema,
  /** Other jobs that the result says can be tracked with the jobs API. */
  followUpJobIds: z.array(z.int().check(z.positive())),
  /** Status checks made, including the one that saw the final status. */
  polls: z.int().check(z.minimum(0)),
  firstSeenAt: z.iso.datetime(),
  publishedAt: z.iso.datetime(),
  /** The status Alation reported last (for `timed_out`: what it was still saying). */
  lastStatus: z.nullable(z.string()),
  /** The last failed check, if any (for `timed_out`: why it might not have finished). */
  lastError: z.nullable(z.strictObject({ errorClass: z.string(), message: z.string() })),
  /**
   * Present and true only on a test notification (`alation-job-watch notify-test`): no job ran,
   * so receivers that act on outcomes should drop it. Absent on every real outcome.
   */
  test: z.optional(z.boolean()),
  // Follow-up chains (docs/contracts.md, "Follow-up jobs and chains"). Optional so outcomes
  // published before they existed still read as v1; the watcher always sets the first two.
  /** On a follow-up's outcome: the job whose result named it. Null on every other outcome. */
  parent: z.optional(z.nullable(FollowUpParentSchema)),
  /** True when the jobs in `followUpJobIds` are being watched, so a chain verdict will follow. */
  followUpsWatched: z.optional(z.boolean()),
  /** Only on a chain verdict: the one extra notification of the root once every job of its chain ended. */
  chain: z.optional(ChainVerdictSchema),
});
export type Outcome = z.infer<typeof OutcomeSchema>;
