import * as z from 'zod/mini';
import { parseAlationBaseUrl } from './alation/base-url';
import { MAX_FOLLOW_UP_DEPTH_LIMIT } from './contracts/follow-up';
import { ConfigError, JobWatchError } from './errors';
import type { FollowUpOptions } from './watch/follow-ups';
import { parseExtraFinalStatuses, type ExtraFinalStatuses } from './watch/statuses';

/** Most SQS can delay a message (`DelaySeconds`). */
export const MAX_SQS_DELAY_SECONDS = 900;

/**
 * The tunables' defaults, applied when a variable is not set. The CDK construct reads them
 * too, to check prop combinations at synth against what the function will really use.
 */
export const FUNCTION_DEFAULTS = {
  pollInitialDelaySeconds: 2,
  pollMaxDelaySeconds: 70,
  maxWatchSeconds: 24 * 3600,
  alationTimeoutMs: 10_000,
  recordConcurrency: 5,
  watchFollowUps: true,
  followUpMaxDepth: 3,
} as const;

const flag = (fallback: boolean) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : String(fallback))),
    z.enum(['true', 'false'], { error: 'must be true or false' }),
  );

// A whole number within bounds (seconds, milliseconds, counts). An empty variable means "not set":
// CloudFormation and shells both produce them.
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : fallback)),
    z.number({ error: 'must be a number' }).check(
      z.refine(Number.isInteger, { error: 'must be a whole number' }),
      z.minimum(min, { error: `must be at least ${min}` }),
      z.maximum(max, { error: `must be at most ${max}` }),
    ),
  );

const required = z.string({ error: 'is required' }).check(z.refine((value) => value.trim() !== '', { error: 'is required' }));

/**
 * The job-status function's environment: the public contract with the CDK stack.
 * Defaults are documented in docs/how-it-works.md.
 */
const EnvironmentSchema = z.object({
  ALATION_BASE_URL: required,
  ALATION_TOKEN_SECRET_ID: required,
  /**
   * The secret holding the key that seals the watch state in re-sent bodies (HMAC-SHA256),
   * readable by the function only. The stack generates it.
   */
  WATCH_STATE_KEY_SECRET_ID: required,
  JOB_QUEUE_URL: required,
  DEAD_LETTER_QUEUE_URL: required,
  OUTCOME_TOPIC_ARN: required,
  IDEMPOTENCY_TABLE_NAME: required,
  /**
   * The table of learned per-kind durations (docs/performance.md). Not set or empty: nothing is
   * learned and every job gets the default backoff.
   */
  DURATION_STATS_TABLE_NAME: z.optional(z.string()),
  /** Shortest wait after a check that finds the job still running (at least 1 s: no hot loop). */
  POLL_INITIAL_DELAY_SECONDS: wholeNumber(1, MAX_SQS_DELAY_SECONDS, FUNCTION_DEFAULTS.pollInitialDelaySeconds),
  /**
   * Longest wait between two checks; SQS allows at most 900 s. The detection delay of a long
   * job is spread over 0–this, so it bounds how late hour-long jobs are reported (BENCHMARKS.md).
   */
  POLL_MAX_DELAY_SECONDS: wholeNumber(1, MAX_SQS_DELAY_SECONDS, FUNCTION_DEFAULTS.pollMaxDelaySeconds),
  /** The watch deadline: a job still running after this is reported `timed_out`. */
  MAX_WATCH_SECONDS: wholeNumber(1, 14 * 24 * 3600, FUNCTION_DEFAULTS.maxWatchSeconds),
  /** Per Alation request. Keep well under the function timeout. */
  ALATION_TIMEOUT_MS: wholeNumber(100, 60_000, FUNCTION_DEFAULTS.alationTimeoutMs),
  /** Records of one batch checked at once: a bound on the load put on Alation. */
  RECORD_CONCURRENCY: wholeNumber(1, 100, FUNCTION_DEFAULTS.recordConcurrency),
  /** Watch the follow-up jobs a final result names, and publish each chain's verdict. */
  WATCH_FOLLOW_UPS: flag(FUNCTION_DEFAULTS.watchFollowUps),
  /** Deepest follow-up watched (1: the root's follow-ups only). */
  FOLLOW_UP_MAX_DEPTH: wholeNumber(1, MAX_FOLLOW_UP_DEPTH_LIMIT, FUNCTION_DEFAULTS.followUpMaxDepth),
  /** Statuses Alation may add that are final: `completed:successful,cancelled:failed`. */
  EXTRA_FINAL_STATUSES: z.optional(z.string()),
  /**
   * The job queue's `maxReceiveCount` (its redrive policy). A record that fails on that delivery,
   * its last, is written to the DLQ with the reason instead of being moved there without one.
   * Not set or 0: the redrive policy moves it, reasonless.
   */
  MAX_RECEIVE_COUNT: wholeNumber(0, 1000, 0),
});

/** The validated configuration of the job-status function. */
export interface JobWatchConfig {
  readonly alationBaseUrl: string;
  readonly tokenSecretId: string;
  readonly watchStateKeySecretId: string;
  readonly jobQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly outcomeTopicArn: string;
  readonly idempotencyTableName: string;
  /** Null: learning is off. */
  readonly durationStatsTableName: string | null;
  readonly poll: { readonly initialDelaySeconds: number; readonly maxDelaySeconds: number; readonly maxWatchSeconds: number };
  readonly alationTimeoutMs: number;
  readonly recordConcurrency: number;
  readonly followUps: FollowUpOptions;
  /** Alation's word → the outcome status it is published as. */
  readonly extraFinalStatuses: ExtraFinalStatuses;
  /** The job queue's `maxReceiveCount`; null: unknown (the last delivery cannot be told). */
  readonly maxReceiveCount: number | null;
}

/**
 * Reads and validates the environment once, at cold start.
 * @throws ConfigError naming every missing or malformed variable at once.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): JobWatchConfig {
  const parsed = EnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ field: i.path.join('.'), problem: i.message })));
  }
  const e = parsed.data;
  const issues: { field: string; problem: string }[] = [];
  let alationBaseUrl = '';
  try {
    alationBaseUrl = parseAlationBaseUrl(e.ALATION_BASE_URL);
  } catch (error) {
    if (!(error instanceof JobWatchError)) throw error;
    issues.push(...(error as ConfigError).issues);
  }
  if (e.POLL_INITIAL_DELAY_SECONDS > e.POLL_MAX_DELAY_SECONDS) {
    issues.push({ field: 'POLL_INITIAL_DELAY_SECONDS', problem: `must not exceed POLL_MAX_DELAY_SECONDS (${e.POLL_MAX_DELAY_SECONDS})` });
  }
  const extra = parseExtraFinalStatuses(e.EXTRA_FINAL_STATUSES);
  issues.push(...extra.problems.map((problem) => ({ field: 'EXTRA_FINAL_STATUSES', problem })));
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    alationBaseUrl,
    tokenSecretId: e.ALATION_TOKEN_SECRET_ID.trim(),
    watchStateKeySecretId: e.WATCH_STATE_KEY_SECRET_ID.trim(),
    jobQueueUrl: e.JOB_QUEUE_URL.trim(),
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL.trim(),
    outcomeTopicArn: e.OUTCOME_TOPIC_ARN.trim(),
    idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME.trim(),
    durationStatsTableName: e.DURATION_STATS_TABLE_NAME?.trim() || null,
    poll: {
      initialDelaySeconds: e.POLL_INITIAL_DELAY_SECONDS,
      maxDelaySeconds: e.POLL_MAX_DELAY_SECONDS,
      maxWatchSeconds: e.MAX_WATCH_SECONDS,
    },
    alationTimeoutMs: e.ALATION_TIMEOUT_MS,
    recordConcurrency: e.RECORD_CONCURRENCY,
    followUps: { enabled: e.WATCH_FOLLOW_UPS === 'true', maxDepth: e.FOLLOW_UP_MAX_DEPTH },
    extraFinalStatuses: extra.statuses,
    maxReceiveCount: e.MAX_RECEIVE_COUNT === 0 ? null : e.MAX_RECEIVE_COUNT,
  };
}
