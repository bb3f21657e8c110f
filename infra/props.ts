import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
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
   * Name prefix of the subscription dead-letter queues (one per `notifyEmails` and
   * `webhookUrls` entry), each named the prefix plus its 16-digit replay target key. A fixed
   * prefix is what lets one operator policy statement name them all (`arn:…:sqs:…:<prefix>*`,
   * docs/operating.md#operator-policy). 1–64 letters, digits, `-` and `_`; unique in the
   * account and region. Give one when the stack name is longer than 55 characters, unknown at
   * synth (a nested stack), or when two constructs in one stack subscribe the same endpoint.
   * Changing it replaces the queues: replay them first.
   *
   * @default - `<stack name>-sub-dlq-`
   */
  readonly subscriptionDlqNamePrefix?: string;

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
   * `WATCH_FOLLOW_UPS`: watch the follow-up jobs a final result names, and publish each
   * chain's verdict (docs/contracts.md, "Follow-up jobs and chains").
   *
   * @default - not set; the function's default (true) applies
   */
  readonly watchFollowUps?: boolean;

  /**
   * `FOLLOW_UP_MAX_DEPTH`: the deepest follow-up watched (1–3; 1 watches the root's follow-ups only).
   *
   * @default - not set; the function's default (3) applies
   */
  readonly followUpMaxDepth?: number;

  /**
   * `EXTRA_FINAL_STATUSES`: statuses Alation may report that the watcher should treat as final,
   * each mapped to the outcome status it is published as, e.g. `{ completed: 'successful' }`.
   * Without it, an unknown status is watched until the deadline (and reported once per job).
   *
   * @default - none
   */
  readonly extraFinalStatuses?: Readonly<Record<string, 'successful' | 'partially_successful' | 'failed'>>;

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
   * Retention of the function's log group. Below one year the stack acknowledges
   * Control Tower control CT.CLOUDWATCH.PR.2, which an account enforcing it refuses.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key of the function's log group (CT.CLOUDWATCH.PR.3). `'create'` makes a customer
   * managed key whose policy lets CloudWatch Logs use it for this account's log groups;
   * a key of your own must allow `logs.<region>.amazonaws.com` the same.
   *
   * @default - CloudWatch Logs' own encryption at rest; CT.CLOUDWATCH.PR.3 is acknowledged
   */
  readonly logGroupEncryptionKey?: kms.IKey | 'create';

  /**
   * Point-in-time recovery of the idempotency table (CT.DYNAMODB.PR.1). Billed by table
   * size; the table holds short-lived records, so it costs cents.
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;

  /**
   * VPC to run the function in, to reach an Alation that is only reachable from a private
   * network. The function then reaches SQS, SNS, DynamoDB and Secrets Manager through
   * VPC endpoints (see `vpcEndpoints`) or a NAT gateway of the VPC.
   *
   * @default - no VPC: the function runs in Lambda's network and reaches Alation over the internet; CT.LAMBDA.PR.3 is acknowledged
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` the function is placed in (private ones: Lambda gives its network
   * interfaces no public address).
   *
   * @default - the VPC's private subnets with egress, else its isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function; they must allow outbound HTTPS to Alation and to the
   * endpoints (or the NAT).
   *
   * @default - one new group that allows all outbound traffic and no inbound
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];

  /**
   * Creates the VPC endpoints the function needs in `vpc`: interface endpoints for SQS,
   * SNS, Secrets Manager and X-Ray (in the function's subnets, reachable from its security
   * groups) and a gateway endpoint for DynamoDB. Leave off when the VPC already has them or
   * routes through a NAT gateway. Interface endpoints are billed per hour and AZ.
   *
   * @default false
   */
  readonly vpcEndpoints?: boolean;

  /**
   * PEM file of the CA certificate(s) that issued Alation's certificate, when that is a
   * private (company) CA. Bundled with the function and trusted in addition to the public
   * roots (`NODE_EXTRA_CA_CERTS`). There is no option to turn certificate checks off.
   *
   * @default - public roots only
   */
  readonly alationCaCertificatePath?: string;

  /**
   * Permissions boundary put on every IAM role of the stack the construct is in, custom
   * resource roles included.
   *
   * @default - no boundary
   */
  readonly rolePermissionsBoundary?: iam.IManagedPolicy;

  /**
   * Prefix of the names of every IAM role of the stack the construct is in (for naming
   * policies such as "roles start with app-"). Names are the prefix plus a unique name
   * derived from the construct path, 64 characters at most; deploying needs CAPABILITY_NAMED_IAM.
   *
   * @default - names chosen by CloudFormation
   */
  readonly roleNamePrefix?: string;

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
