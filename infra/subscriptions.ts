import { createHash } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { REPLAY_TARGET_ATTRIBUTE } from '../shared/contracts/replay-target';
import type { OutcomeFilter } from './props';

/**
 * The replay target key of a subscription: derived from its protocol and endpoint, so it is
 * stable across deploys and unique within the topic, and it does not reveal the endpoint
 * (webhook URLs often carry a secret) in message attributes.
 */
export function subscriberKey(protocol: string, endpoint: string): string {
  return createHash('sha256').update(`${protocol}\n${endpoint}`).digest('hex').slice(0, SUBSCRIBER_KEY_LENGTH);
}

/** Hex digits of a replay target key ({@link subscriberKey}). */
export const SUBSCRIBER_KEY_LENGTH = 16;

/**
 * SQS queue names are 1–80 letters, digits, hyphens and underscores:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 * A subscription DLQ name is its prefix plus the 16-digit key, so a prefix has at most 64.
 */
export const SUBSCRIPTION_DLQ_NAME_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The default name prefix of the subscription dead-letter queues: `<stack name>-sub-dlq-`.
 * A fixed, stack-scoped prefix lets an operator policy name every subscription DLQ of the
 * stack in one ARN pattern (`…:<prefix>*`) that no other queue of the stack matches: the names
 * CloudFormation generates are `<stack name>-<logical id>-<suffix>`, and logical ids have no
 * hyphen.
 */
export function defaultSubscriptionDlqNamePrefix(stackName: string): string {
  return `${stackName}-sub-dlq-`;
}

/** The physical name of one subscription's dead-letter queue. */
export function subscriptionDlqName(prefix: string, key: string): string {
  return `${prefix}${key}`;
}

/**
 * The filter policy of a construct-made subscription: its own filter for normal outcomes
 * (no `replayTo` attribute), or exactly the replays addressed to it. SNS's `$or` and
 * `exists: false` do this in one policy.
 * https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
 */
export function replayAwareFilterPolicy(filter: OutcomeFilter | undefined, key: string): Record<string, unknown> {
  const own: Record<string, unknown[]> = {};
  if (filter?.statuses) own.status = [...filter.statuses];
  if (filter?.kinds) own.kind = [...filter.kinds];
  // Published as a String attribute "true"/"false", not as a boolean.
  if (filter?.hasErrors !== undefined) own.hasErrors = [String(filter.hasErrors)];
  return {
    $or: [{ ...own, [REPLAY_TARGET_ATTRIBUTE]: [{ exists: false }] }, { [REPLAY_TARGET_ATTRIBUTE]: [key] }],
  };
}

/**
 * SNS's hard limit on the total retry time of an HTTP/S delivery policy.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */
export const MAX_HTTPS_RETRY_SECONDS = 3600;

/** The retry phases of the webhook delivery policy, in seconds and counts. */
export const WEBHOOK_RETRY = {
  minDelaySeconds: 10,
  maxDelaySeconds: 300,
  numNoDelayRetries: 0,
  numMinDelayRetries: 2,
  /** Exponential phase: delays grow from the minimum to the maximum. */
  numBackoffRetries: 6,
  numMaxDelayRetries: 5,
} as const;

/**
 * An upper bound of the total retry time: every exponential-phase delay counted at the
 * maximum. SNS refuses a policy whose total exceeds {@link MAX_HTTPS_RETRY_SECONDS}, so the
 * bound, not an estimate, must stay below it.
 */
export function worstCaseRetrySeconds(policy: typeof WEBHOOK_RETRY = WEBHOOK_RETRY): number {
  return (
    policy.numMinDelayRetries * policy.minDelaySeconds +
    (policy.numBackoffRetries + policy.numMaxDelayRetries) * policy.maxDelaySeconds
  );
}

/**
 * Delivery policy of the HTTPS subscriptions: exponential backoff from 10 s to 5 min over
 * 13 retries, about 33 minutes in all (at most 55), instead of SNS's default of 3 retries
 * 20 s apart. A receiver that is down for a deploy or a restart then still gets the outcome;
 * after the last retry it goes to the subscription's dead-letter queue (`replay`).
 */
export function webhookDeliveryPolicy(): sns.DeliveryPolicy {
  const r = WEBHOOK_RETRY;
  return {
    healthyRetryPolicy: {
      minDelayTarget: Duration.seconds(r.minDelaySeconds),
      maxDelayTarget: Duration.seconds(r.maxDelaySeconds),
      numRetries: r.numNoDelayRetries + r.numMinDelayRetries + r.numBackoffRetries + r.numMaxDelayRetries,
      numNoDelayRetries: r.numNoDelayRetries,
      numMinDelayRetries: r.numMinDelayRetries,
      numMaxDelayRetries: r.numMaxDelayRetries,
      backoffFunction: sns.BackoffFunction.EXPONENTIAL,
    },
  };
}
