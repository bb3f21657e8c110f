/**
 * How a replayed outcome reaches only the subscription that failed to receive it.
 *
 * Every subscription the CDK construct makes has its own dead-letter queue and a target key,
 * and its filter policy accepts a message when either the message has no `replayTo`
 * attribute (a normal outcome, matched by the subscriber's own filter) or `replayTo` equals
 * its key (a replay meant for it). `alation-job-watch replay` republishes a dead letter to
 * the outcome topic with `replayTo` set to the key of the subscription whose DLQ it came from.
 */
export const REPLAY_TARGET_ATTRIBUTE = 'replayTo';

/** A target key: 16 lowercase hex digits (see infra/subscriptions.ts). */
export const REPLAY_TARGET_PATTERN = /^[0-9a-f]{16}$/;
