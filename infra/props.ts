import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { OutcomeStatus } from './metrics';

/**
 * Which outcomes a subscriber receives. Each field becomes one key of the SNS
 * subscription filter policy on the message attributes the function publishes;
 * all given fields must match.
 *
 * @example { statuses: ['failed', 'timed_out'] }
 */
export interface OutcomeFilter {
  /**
   * Only outcomes with one of these `status` attributes.
   *
   * @default - every status
   */
  readonly statuses?: readonly OutcomeStatus[];
  /**
   * Only outcomes with one of these `kind` attributes (the job kind Alation reports).
   *
   * @default - every kind
   */
  readonly kinds?: readonly string[];
  /**
   * Only outcomes whose `hasErrors` attribute is this value (published as the
   * string "true" or "false").
   *
   * @default - both
   */
  readonly hasErrors?: boolean;
}

/**
 * One subscriber of the outcome topic: an email address or an HTTPS URL,
 * optionally filtered.
 */
export interface OutcomeSubscriber {
  /** Email address (for `notifyEmails`) or `https://` URL (for `webhookUrls`). */
  readonly endpoint: string;
  /**
   * Which outcomes this subscriber receives.
   *
   * @default - all outcomes
   */
  readonly filter?: OutcomeFilter;
}

/** A subscriber given as a bare endpoint (no filter) or with a filter. */
export type OutcomeSubscriberInput = string | OutcomeSubscriber;

/** Properties of {@link AlationJobWatch}. */
export interface AlationJobWatchProps {
  /**
   * Base URL of the Alation instance, `https://` only. It is the only place the
   * function learns where Alation is: messages never carry a URL.
   */
  readonly alationBaseUrl: string;

  /**
   * Secret holding the Alation token: a plain access token, or JSON
   * `{"refreshToken": "...", "userId": N}` from which the function mints access tokens.
   * If the secret is encrypted with a customer managed key, import it with its
   * `encryptionKey` so the function is granted `kms:Decrypt`.
   *
   * @default - a new secret with a random placeholder value; put the token in after deploying
   */
  readonly tokenSecret?: secretsmanager.ISecret;

  /**
   * Email addresses subscribed to the outcome topic (each must confirm the subscription).
   *
   * @default - none
   */
  readonly notifyEmails?: readonly OutcomeSubscriberInput[];

  /**
   * HTTPS URLs subscribed to the outcome topic. Undeliverable messages land in a
   * subscription dead-letter queue, which is alarmed.
   *
   * @default - none
   */
  readonly webhookUrls?: readonly OutcomeSubscriberInput[];

  /**
   * `POLL_INITIAL_DELAY_SECONDS`: delay before the first re-check of a running job (1–900).
   *
   * @default - not set; the function's default (2) applies
   */
  readonly pollInitialDelaySeconds?: number;

  /**
   * `POLL_MAX_DELAY_SECONDS`: cap of the backoff between checks (1–900, the SQS message timer limit).
   *
   * @default - not set; the function's default (70) applies
   */
  readonly pollMaxDelaySeconds?: number;

  /**
   * `MAX_WATCH_SECONDS`: how long a job is watched before it is published as `timed_out` (up to 14 days).
   *
   * @default - not set; the function's default (86400) applies
   */
  readonly maxWatchSeconds?: number;

  /**
   * `ALATION_TIMEOUT_MS`: timeout of one request to Alation (100–60000); must be below the function timeout.
   *
   * @default - not set; the function's default (10000) applies
   */
  readonly alationTimeoutMs?: number;

  /**
   * `RECORD_CONCURRENCY`: records of one batch processed concurrently (1–100).
   * Requests in flight toward Alation are at most `maxConcurrency × recordConcurrency`.
   *
   * @default - not set; the function's default (5) applies
   */
  readonly recordConcurrency?: number;

  /**
   * Maximum concurrent invocations of the event source mapping (2–1000); with
   * `recordConcurrency` it caps the load on Alation without the throttling
   * (and false DLQ arrivals) that reserved concurrency causes.
   *
   * @default 2
   */
  readonly maxConcurrency?: number;

  /**
   * Records per invocation (1–10000; above 10 needs `maxBatchingWindowSeconds` ≥ 1).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source mapping gathers records before invoking (0–300 s).
   *
   * @default 0
   */
  readonly maxBatchingWindowSeconds?: number;

  /**
   * Function timeout (1–900 s). The queue visibility timeout is derived from it.
   *
   * @default 60
   */
  readonly functionTimeoutSeconds?: number;

  /**
   * Function memory (128–10240 MB).
   *
   * @default 256
   */
  readonly memorySizeMb?: number;

  /**
   * Lambda runtime; must be Node.js 22 or newer (the bundle targets node22).
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Receives of one message before SQS moves it to the DLQ (≥ 5, so throttling
   * does not push healthy messages there).
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Topic that alarms notify (on ALARM and OK). When you bring your own and it is
   * KMS-encrypted, its key policy must let `cloudwatch.amazonaws.com` use the key.
   *
   * @default - a new topic encrypted with a new customer managed key whose policy allows CloudWatch
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the alarm topic.
   *
   * @default - none
   */
  readonly alarmEmails?: readonly string[];

  /**
   * Threshold of the job queue's oldest-message-age alarm, in seconds. Must be
   * above the maximum poll delay, since delayed re-checks age while they wait.
   *
   * @default 1800
   */
  readonly oldestMessageAgeAlarmSeconds?: number;

  /**
   * Threshold (percent of outcomes in one hour) of the `failed` and the
   * `timed_out` outcome-rate alarms.
   *
   * @default 20
   */
  readonly outcomeAlarmRatePercent?: number;

  /**
   * Path of the handler source file bundled with esbuild.
   *
   * @default - `functions/job-status/handler.ts` in this repository
   */
  readonly entry?: string;

  /**
   * The daily token check (`infra/token-check.ts`): a small function that asks Alation about
   * the secret's refresh token, with alarms `TokenInvalid` and `TokenExpiresSoon`.
   * `false` leaves it out.
   *
   * @default true
   */
  readonly tokenCheck?: boolean;

  /**
   * The `TokenExpiresSoon` alarm fires when the refresh token has fewer than this many days left.
   *
   * @default 14
   */
  readonly tokenWarnDays?: number;
}
