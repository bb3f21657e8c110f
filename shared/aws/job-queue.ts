import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { serializeJobReference, type JobReference } from '../contracts/job-reference';

/** The SQS side of the watcher: re-sending running jobs, and setting invalid ones aside. */
export interface JobQueue {
  /** Re-sends a job to the job queue, to be checked again after `delaySeconds` (0–900). */
  requeue(reference: JobReference, delaySeconds: number): Promise<void>;
  /**
   * Sends a message that can never succeed straight to the dead-letter queue, with the
   * reason as a message attribute, instead of letting it burn `maxReceiveCount` retries.
   */
  deadLetter(body: string, reason: string, sourceMessageId: string): Promise<void>;
}

export interface SqsJobQueueOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly jobQueueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** SQS message attribute values are capped by the message size; a reason this long is plenty. */
const MAX_REASON_LENGTH = 1000;

export function createSqsJobQueue(options: SqsJobQueueOptions): JobQueue {
  return {
    async requeue(reference, delaySeconds) {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.jobQueueUrl,
          MessageBody: serializeJobReference(reference),
          DelaySeconds: delaySeconds,
        }),
      );
    },
    async deadLetter(body, reason, sourceMessageId) {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          // SQS refuses an empty body; an empty input is kept visible as such.
          MessageBody: body === '' ? '(empty body)' : body,
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) },
            sourceMessageId: { DataType: 'String', StringValue: sourceMessageId || 'unknown' },
          },
        }),
      );
    },
  };
}
