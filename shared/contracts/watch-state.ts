import * as z from 'zod/mini';
import { JobReferenceLimits } from './limits';

/**
 * What the watcher remembers between two checks of one job. Re-sending a running job as
 * a new SQS message resets the receive count and the message id (see ARCHITECTURE.md), so
 * this state travels in the message body. Producers leave it out.
 */
/** Alation's statuses are short words; a longer one is cut to this when remembered. */
export const MAX_STATUS_LENGTH = 64;

export const WatchStateSchema = z.strictObject({
  /** Status checks made so far. */
  polls: z.int().check(z.minimum(0)),
  /** When the watcher first picked the job up (ISO-8601); the deadline counts from here. */
  firstSeenAt: z.iso.datetime({ offset: true }),
  /** The status Alation reported last, or null before the first answer. */
  lastStatus: z.nullable(z.string().check(z.maxLength(MAX_STATUS_LENGTH))),
  /** The last failed check, kept so a `timed_out` outcome can say what went wrong. */
  lastError: z.nullable(
    z.strictObject({
      errorClass: z.string().check(z.maxLength(32)),
      message: z.string().check(z.maxLength(JobReferenceLimits.maxErrorMessageLength)),
    }),
  ),
  /** Consecutive answers "no such job"; bounded so an unknown job ends as `not_found`. */
  notFoundChecks: z.int().check(z.minimum(0)),
});

export type WatchState = z.infer<typeof WatchStateSchema>;
