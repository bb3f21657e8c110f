import { PublishBatchCommand, PublishCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { JobWatchError } from '../errors';
import type { Notification } from '../notify/notification';
import type { BatchGate } from './invocation-gate';
import { splitIntoBatches } from './sqs-batches';

/** What SNS answered for one notification. */
export interface SentNotification {
  readonly messageId: string;
  /**
   * Requests the SDK made to get it there (its retries included). Above 1, an earlier request may
   * have been carried out too, its answer lost: subscribers may get the notification twice.
   */
  readonly attempts: number;
}

/** Sends one notification to the topic. */
export type SendNotification = (notification: Notification) => Promise<SentNotification>;

/**
 * SNS `PublishBatch` limits: ten entries, and the entries' messages and attributes together at
 * most 256 KiB, the topic's default `MaximumMessageSize` (SNS API reference, PublishBatch). Each
 * entry counts its `Notification.bytes`, the subject included, to stay on the safe side of how
 * SNS adds it up.
 */
export const SNS_BATCH_LIMITS = { entries: 10, payloadBytes: 256 * 1024 } as const;

/** One notification as `Publish` and a `PublishBatch` entry both take it. */
const publishFields = (notification: Notification) => ({
  Subject: notification.Subject,
  Message: notification.Message,
  MessageStructure: notification.MessageStructure,
  MessageAttributes: notification.MessageAttributes,
});

/** One `Publish` per notification: outside an invocation, or when a batch would hold one. */
export function directNotificationSender(sns: Pick<SNSClient, 'send'>, topicArn: string): SendNotification {
  return async (notification) => {
    const answer = await sns.send(new PublishCommand({ TopicArn: topicArn, ...publishFields(notification) }));
    return { messageId: answer.MessageId ?? '', attempts: answer.$metadata?.attempts ?? 1 };
  };
}

interface Pending {
  readonly notification: Notification;
  readonly resolve: (sent: SentNotification) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Publishes for ONE invocation: each notification waits at the invocation's gate (`BatchGate`),
 * and those waiting go out together, one `PublishBatch` for up to ten instead of ten `Publish`
 * requests, each of which costs the function its SDK signing and serialising. A request that
 * would carry one notification is a plain `Publish`, so a record alone publishes as before.
 *
 * Each notification settles on its own: SNS reports success or failure per entry, and a refused
 * entry rejects only its own publish (its record's idempotency claim is then released and the
 * record retried, as after a refused `Publish`); a request that fails as a whole rejects every
 * publish it carried. Nothing is sent again by this sender, but like a `Publish` whose answer
 * was lost, a request whose answer is lost after SNS took it is published again, by the SDK's
 * own retry (then `attempts` is above 1 and the caller warns) or by the records' retries: the
 * documented at-least-once window, for up to ten outcomes at once instead of one.
 */
export function createBatchingNotificationSender(options: { readonly sns: Pick<SNSClient, 'send'>; readonly topicArn: string; readonly gate: BatchGate }): SendNotification {
  const direct = directNotificationSender(options.sns, options.topicArn);
  let pending: Pending[] = [];

  const sendChunk = async (chunk: readonly Pending[]): Promise<void> => {
    if (chunk.length === 1) {
      const [only] = chunk as [Pending];
      await direct(only.notification).then(only.resolve, (error: unknown) => only.reject(error instanceof Error ? error : new Error(String(error))));
      return;
    }
    const entries: PublishBatchRequestEntry[] = chunk.map(({ notification }, i) => ({ Id: String(i), ...publishFields(notification) }));
    try {
      const answer = await options.sns.send(new PublishBatchCommand({ TopicArn: options.topicArn, PublishBatchRequestEntries: entries }));
      const failed = new Map((answer.Failed ?? []).map((f) => [f.Id, f]));
      const succeeded = new Map((answer.Successful ?? []).map((s) => [s.Id, s.MessageId ?? '']));
      chunk.forEach((entry, i) => {
        const failure = failed.get(String(i));
        const messageId = succeeded.get(String(i));
        if (failure) {
          entry.reject(
            new JobWatchError(`SNS refused the outcome (${failure.Code ?? 'unknown code'}: ${failure.Message ?? 'no message'})`, {
              retryable: failure.SenderFault !== true,
            }),
          );
        } else if (messageId !== undefined) {
          entry.resolve({ messageId, attempts: answer.$metadata?.attempts ?? 1 });
        } else {
          entry.reject(new JobWatchError('SNS answered the batch without a result for this outcome', { retryable: true }));
        }
      });
    } catch (error) {
      for (const entry of chunk) entry.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const flush = () => {
    const entries = pending;
    pending = [];
    for (const chunk of splitIntoBatches(entries, (entry) => entry.notification.bytes, SNS_BATCH_LIMITS)) void sendChunk(chunk);
  };

  const member = options.gate.join(flush);

  return (notification) =>
    new Promise<SentNotification>((resolve, reject) => {
      pending.push({
        notification,
        resolve: (sent) => {
          member.settled();
          resolve(sent);
        },
        reject: (error) => {
          member.settled();
          reject(error);
        },
      });
      if (pending.length >= SNS_BATCH_LIMITS.entries) flush();
      member.held();
    });
}
