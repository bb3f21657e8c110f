import { z } from 'zod';

/** The `schema` value of every outcome this version publishes. */
export const OUTCOME_SCHEMA = 'alation.job-outcome/v1';

/** Every status an outcome can have: Alation's three final ones and the watcher's two. */
export const OutcomeStatus = {
  successful: 'successful',
  partiallySuccessful: 'partially_successful',
  failed: 'failed',
  timedOut: 'timed_out',
  notFound: 'not_found',
} as const;
export type OutcomeStatus = (typeof OutcomeStatus)[keyof typeof OutcomeStatus];

/** One entry of Alation's `error_objects`, split when it reads `Line N. Key: K. message`. */
export const ErrorObjectSchema = z.strictObject({
  line: z.number().int().nullable(),
  key: z.string().nullable(),
  message: z.string(),
});
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;

const count = z.number().int().min(0).nullable();

/** Alation's `result`, parsed. Counts are null when the result did not state them. */
export const OutcomeResultSchema = z.strictObject({
  updatedObjects: count,
  numberReceived: count,
  /** May be cut to keep a notification under SNS's 256 KB limit; see `errorObjectCount`. */
  errorObjects: z.array(ErrorObjectSchema),
  /** How many error objects Alation reported, even when `errorObjects` was cut. */
  errorObjectCount: z.number().int().min(0),
  errorsIgnored: count,
  /** Alation's `error` text when it is not the "N errors were ignored" count. */
  error: z.string().nullable(),
  newEventsIngested: count,
  previouslyIngestedSkipped: count,
  /** The result as text, when Alation sent text rather than JSON. */
  text: z.string().nullable(),
  /** The result decoded from JSON (object, list, or scalar), or null. */
  data: z.unknown(),
  /**
   * True when parts of the result (`data`, `text`, `errorObjects`) were cut so the
   * notification fits SNS's 256 KB limit; the counts are always complete.
   */
  truncated: z.boolean(),
});
export type OutcomeResult = z.infer<typeof OutcomeResultSchema>;

/** The job as the producer named it: its integer id or its (decoded) name. */
export const OutcomeJobSchema = z.union([
  z.strictObject({ id: z.number().int().positive() }),
  z.strictObject({ name: z.string().min(1) }),
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
  kind: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(OutcomeStatus),
  /** True unless the job ended cleanly: failed, timed out, not found, or finished with errors. */
  hasErrors: z.boolean(),
  /** Alation's `msg`, as sent. */
  message: z.string().nullable(),
  durationSeconds: z.number().min(0).nullable(),
  /** When Alation says the job finished (ISO-8601, UTC). */
  finishedAt: z.iso.datetime().nullable(),
  result: OutcomeResultSchema,
  /** Other jobs that the result says can be tracked with the jobs API. */
  followUpJobIds: z.array(z.number().int().positive()),
  /** Status checks made, including the one that saw the final status. */
  polls: z.number().int().min(0),
  firstSeenAt: z.iso.datetime(),
  publishedAt: z.iso.datetime(),
  /** The status Alation reported last (for `timed_out`: what it was still saying). */
  lastStatus: z.string().nullable(),
  /** The last failed check, if any (for `timed_out`: why it might not have finished). */
  lastError: z.strictObject({ errorClass: z.string(), message: z.string() }).nullable(),
});
export type Outcome = z.infer<typeof OutcomeSchema>;
