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

/**
 * The most polls a watch state may claim. A 14-day deadline at one check a second is 1.2
 * million; this leaves room for retries and keeps `polls + 1` far from 2^53, where the next
 * re-send would be refused and the job dead-lettered.
 */
export const MAX_WATCH_POLLS = 10_000_000;

/**
 * How far before the deadline a first sighting may lie: the deadline itself, plus the DLQ's
 * 14 days (a message can be redriven from there) and a day to spare.
 */
const MAX_FIRST_SEEN_SLACK_SECONDS = 15 * 24 * 3600;

export interface WatchStateBounds {
  readonly now: Date;
  readonly maxWatchSeconds: number;
  /** Answers "no such job" that end a watch: a claim of as many or more is cut to one fewer. */
  readonly maxNotFoundChecks: number;
}

/**
 * The watch state with every claim brought within what a real watch can reach, even when its
 * seal verifies (defence in depth, should the key ever leak): counters within their bounds,
 * `firstSeenAt` not in the future (that would hold the deadline off for ever) and not before
 * the deadline, the DLQ's retention and a day.
 */
export function clampWatchState(watch: WatchState, bounds: WatchStateBounds): WatchState {
  const nowMs = bounds.now.getTime();
  const earliestMs = nowMs - (bounds.maxWatchSeconds + MAX_FIRST_SEEN_SLACK_SECONDS) * 1000;
  const firstSeenMs = Date.parse(watch.firstSeenAt);
  const clampedMs = Math.min(nowMs, Math.max(earliestMs, firstSeenMs));
  return {
    ...watch,
    polls: Math.min(watch.polls, MAX_WATCH_POLLS),
    notFoundChecks: Math.min(watch.notFoundChecks, Math.max(0, bounds.maxNotFoundChecks - 1)),
    firstSeenAt: clampedMs === firstSeenMs ? watch.firstSeenAt : new Date(clampedMs).toISOString(),
  };
}
