import {
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { serializeJobReference, type JobReference } from '../contracts/job-reference';
import { cutText, toSendableText } from '../contracts/sendable-text';
import { JobWatchError } from '../errors';
import { createBatchGate, type BatchGate, type RecordGate } from './invocation-gate';
import { splitIntoBatches, sqsEntryBytes } from './sqs-batches';

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

/** One message as both `SendMessage` and a `SendMessageBatch` entry take it. */
interface OutgoingMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}

const requeueMessage = (queueUrl: string, reference: JobReference, delaySeconds: number): OutgoingMessage => ({
  QueueUrl: queueUrl,
  MessageBody: serializeJobReference(reference),
  DelaySeconds: delaySeconds,
});

/**
 * The smallest `MaximumMessageSize` a queue of the stack has (SQS's old default; the stack's
 * queues and fauxqs's are at least this). A dead letter up to this size always fits the DLQ.
 */
export const MIN_QUEUE_MESSAGE_BYTES = 256 * 1024;

/**
 * A dead letter: the body as it came, with why (`reason`) and from where (`sourceMessageId`).
 * The body arrived through a queue that shares the DLQ's size limit, so it fit there, but body
 * and attributes together may not: a body at the limit would make every dead-letter send fail
 * and the record reach the DLQ through redrive without its reason. So the whole message is
 * kept within the larger of the body's own size and {@link MIN_QUEUE_MESSAGE_BYTES}; past that
 * the body is cut (on a character boundary, with a marker) and `bodyTruncated` says so. The
 * reason is always kept.
 */
const deadLetterMessage = (queueUrl: string, body: string, reason: string, sourceMessageId: string): OutgoingMessage => {
  const attributes: Record<string, MessageAttributeValue> = {
    // Made sendable after a cut that keeps pairs whole: a refused reason would fail every delivery.
    reason: { DataType: 'String', StringValue: toSendableText(cutText(reason, MAX_REASON_LENGTH)) || 'unknown' },
    sourceMessageId: { DataType: 'String', StringValue: toSendableText(cutText(sourceMessageId, 256)) || 'unknown' },
  };
  // SQS refuses an empty body; an empty input is kept visible as such.
  const message: OutgoingMessage = { QueueUrl: queueUrl, MessageBody: body === '' ? '(empty body)' : body, MessageAttributes: attributes };
  const bodyBytes = Buffer.byteLength(message.MessageBody);
  const limit = Math.max(bodyBytes, MIN_QUEUE_MESSAGE_BYTES);
  if (sqsEntryBytes(message) <= limit) return message;
  const note = (kept: number) => `the body was ${bodyBytes} bytes; the first ${kept} are kept so that the DLQ accepts it with its reason`;
  const marker = (kept: number) => `\n[cut by alation-job-watch: ${kept} of ${bodyBytes} bytes kept]`;
  const extra = Buffer.byteLength('bodyTruncated') + Buffer.byteLength('String') + Buffer.byteLength(note(bodyBytes));
  const room = limit - (sqsEntryBytes(message) - bodyBytes) - extra - Buffer.byteLength(marker(bodyBytes));
  const kept = utf8Prefix(message.MessageBody, Math.max(0, room));
  const keptBytes = Buffer.byteLength(kept);
  return {
    ...message,
    MessageBody: `${kept}${marker(keptBytes)}`,
    MessageAttributes: { ...attributes, bodyTruncated: { DataType: 'String', StringValue: note(keptBytes) } },
  };
};

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never ending inside a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  // Each code unit is at most 3 bytes (a pair, 2 units, is 4): a first cut by units, then trimmed.
  let kept = cutText(text, maxBytes);
  while (Buffer.byteLength(kept) > maxBytes) {
    const over = Buffer.byteLength(kept) - maxBytes;
    kept = cutText(kept, kept.length - Math.max(1, Math.floor(over / 3)));
  }
  return kept;
}

/** One `SendMessage` per call: for callers outside an invocation (CLI, tests of one record). */
export function createSqsJobQueue(options: SqsJobQueueOptions): JobQueue {
  return {
    async requeue(reference, delaySeconds) {
      await options.sqs.send(new SendMessageCommand(requeueMessage(options.jobQueueUrl, reference, delaySeconds)));
    },
    async deadLetter(body, reason, sourceMessageId) {
      await options.sqs.send(new SendMessageCommand(deadLetterMessage(options.deadLetterQueueUrl, body, reason, sourceMessageId)));
    },
  };
}

/** Entries per `SendMessageBatch`: the API's limit. */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Bytes per `SendMessageBatch` (bodies and attributes summed). The API allows 1 MiB since 2025,
 * but a queue's `MaximumMessageSize` may still be 256 KiB (the old default) and so is fauxqs's:
 * 256 KiB holds everywhere, and the watcher's own bodies are a few KiB.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/** A job queue for one invocation, whose sends wait at the invocation's gate to go out together (see {@link createBatchingJobQueue}). */
export interface InvocationJobQueue extends JobQueue, RecordGate {}

interface Pending {
  readonly message: OutgoingMessage;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * A job queue for ONE invocation that sends with `SendMessageBatch`: one signed request for up to
 * ten re-sends instead of ten, which is most of a record's CPU (SDK signing and serialising).
 * Create one per invocation; never share one between concurrent invocations.
 *
 * A send is held until ten are pending for its queue, or the invocation's gate lets it go (every
 * running record waits on a batched call, or 25 ms have passed: `BatchGate`). `gate` is the
 * invocation's, shared with its other batchers; without one the queue has a gate of its own,
 * and its `recordStarted`/`recordEnded` are that gate's. Requests are cut at ten entries or
 * {@link MAX_BATCH_BYTES}. Each entry settles on its own: SQS reports success or failure per
 * entry, and a failed entry rejects only its own record's send (which that record then reports
 * for retry); a request that fails as a whole rejects the sends it carried, and nothing is
 * sent again by this queue.
 */
export function createBatchingJobQueue(options: SqsJobQueueOptions & { readonly maxWaitMs?: number; readonly gate?: BatchGate }): InvocationJobQueue {
  const gate = options.gate ?? createBatchGate({ ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }) });
  const pending = new Map<string, Pending[]>();

  const sendChunk = async (queueUrl: string, chunk: readonly Pending[]): Promise<void> => {
    const entries: SendMessageBatchRequestEntry[] = chunk.map(({ message }, i) => ({
      Id: String(i),
      MessageBody: message.MessageBody,
      DelaySeconds: message.DelaySeconds,
      MessageAttributes: message.MessageAttributes,
    }));
    try {
      const answer = await options.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Map((answer.Failed ?? []).map((f) => [f.Id, f]));
      const succeeded = new Set((answer.Successful ?? []).map((s) => s.Id));
      chunk.forEach((entry, i) => {
        const failure = failed.get(String(i));
        if (failure) {
          entry.reject(
            new JobWatchError(`SQS refused the message (${failure.Code ?? 'unknown code'}: ${failure.Message ?? 'no message'})`, {
              retryable: failure.SenderFault !== true,
            }),
          );
        } else if (succeeded.has(String(i))) {
          entry.resolve();
        } else {
          entry.reject(new JobWatchError('SQS answered the batch without a result for this message', { retryable: true }));
        }
      });
    } catch (error) {
      for (const entry of chunk) entry.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const flushQueue = (queueUrl: string) => {
    const entries = pending.get(queueUrl) ?? [];
    pending.delete(queueUrl);
    for (const chunk of splitIntoBatches(entries, (entry) => entry.bytes, { entries: MAX_BATCH_ENTRIES, payloadBytes: MAX_BATCH_BYTES })) void sendChunk(queueUrl, chunk);
  };

  const member = gate.join(() => {
    for (const queueUrl of [...pending.keys()]) flushQueue(queueUrl);
  });

  const send = (message: OutgoingMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const entry: Pending = {
        message,
        bytes: sqsEntryBytes(message),
        resolve: () => {
          member.settled();
          resolve();
        },
        reject: (error) => {
          member.settled();
          reject(error);
        },
      };
      const queue = pending.get(message.QueueUrl) ?? [];
      queue.push(entry);
      pending.set(message.QueueUrl, queue);
      if (queue.length >= MAX_BATCH_ENTRIES) flushQueue(message.QueueUrl);
      member.held();
    });

  return {
    requeue: (reference, delaySeconds) => send(requeueMessage(options.jobQueueUrl, reference, delaySeconds)),
    deadLetter: (body, reason, sourceMessageId) => send(deadLetterMessage(options.deadLetterQueueUrl, body, reason, sourceMessageId)),
    recordStarted: () => gate.recordStarted(),
    recordEnded: () => gate.recordEnded(),
  };
}
