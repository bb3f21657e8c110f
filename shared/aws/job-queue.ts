import {
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { serializeJobReference, type JobReference } from '../contracts/job-reference';
import { JobWatchError } from '../errors';

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

const deadLetterMessage = (queueUrl: string, body: string, reason: string, sourceMessageId: string): OutgoingMessage => ({
  QueueUrl: queueUrl,
  // SQS refuses an empty body; an empty input is kept visible as such.
  MessageBody: body === '' ? '(empty body)' : body,
  MessageAttributes: {
    reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) },
    sourceMessageId: { DataType: 'String', StringValue: sourceMessageId || 'unknown' },
  },
});

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

/**
 * Longest a send is held for company. The records of one invocation that find their jobs running
 * reach their re-send within a few milliseconds of each other (their Alation calls overlap); one
 * whose neighbours are still waiting on a slow Alation answer goes out alone rather than wait.
 */
export const DEFAULT_MAX_WAIT_MS = 25;

/** A job queue for one invocation, whose sends wait to go out together (see {@link createBatchingJobQueue}). */
export interface InvocationJobQueue extends JobQueue {
  /** A record of the invocation started: its send, if any, may be held back for company. */
  recordStarted(): void;
  /** A record finished (sent, published, failed or skipped): its send is no longer to be waited for. */
  recordEnded(): void;
}

interface Pending {
  readonly message: OutgoingMessage;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** SQS counts the body and each attribute's name, type and value. */
function messageBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.MessageBody);
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/**
 * A job queue for ONE invocation that sends with `SendMessageBatch`: one signed request for up to
 * ten re-sends instead of ten, which is most of a record's CPU (SDK signing and serialising).
 * Create one per invocation; never share one between concurrent invocations.
 *
 * A send is held until ten are pending for its queue, or every record of the invocation that is
 * still running is waiting on a send (the handler says when records start and end), or
 * {@link DEFAULT_MAX_WAIT_MS} have passed: nothing waits for a record that will never send,
 * records not yet started (held back by the concurrency limit) are never waited for, and a slow
 * neighbour delays a send by 25 ms at most. Requests are cut at ten entries or
 * {@link MAX_BATCH_BYTES}. Each entry settles on its own: SQS reports success or failure per
 * entry, and a failed entry rejects only its own record's send (which that record then reports
 * for retry); a request that fails as a whole rejects the sends it carried, and nothing is
 * sent again by this queue.
 */
export function createBatchingJobQueue(options: SqsJobQueueOptions & { readonly maxWaitMs?: number }): InvocationJobQueue {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const pending = new Map<string, Pending[]>();
  let running = 0;
  /** Sends not yet settled, pending or in flight: each belongs to one waiting record. */
  let waiting = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

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
    if (pending.size === 0) {
      clearTimeout(timer);
      timer = undefined;
    }
    let chunk: Pending[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (chunk.length === MAX_BATCH_ENTRIES || (chunk.length > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) {
        void sendChunk(queueUrl, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(entry);
      bytes += entry.bytes;
    }
    if (chunk.length > 0) void sendChunk(queueUrl, chunk);
  };

  const flushAll = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const queueUrl of [...pending.keys()]) flushQueue(queueUrl);
  };

  const flushIfAllWait = () => {
    // `>=`: a send from outside any started record is not held at all.
    if (waiting >= running) flushAll();
  };

  const send = (message: OutgoingMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      waiting += 1;
      const settle = () => {
        waiting -= 1;
      };
      const entry: Pending = {
        message,
        bytes: messageBytes(message),
        resolve: () => {
          settle();
          resolve();
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const queue = pending.get(message.QueueUrl) ?? [];
      queue.push(entry);
      pending.set(message.QueueUrl, queue);
      // A record whose neighbours are slow (a long Alation call) is not held for them.
      timer ??= setTimeout(flushAll, maxWaitMs);
      if (queue.length >= MAX_BATCH_ENTRIES) flushQueue(message.QueueUrl);
      else flushIfAllWait();
    });

  return {
    requeue: (reference, delaySeconds) => send(requeueMessage(options.jobQueueUrl, reference, delaySeconds)),
    deadLetter: (body, reason, sourceMessageId) => send(deadLetterMessage(options.deadLetterQueueUrl, body, reason, sourceMessageId)),
    recordStarted() {
      running += 1;
    },
    recordEnded() {
      running = Math.max(0, running - 1);
      flushIfAllWait();
    },
  };
}
