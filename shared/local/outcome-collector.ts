import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { readOutcomeMessage } from '../contracts/read-outcome';
import type { Outcome } from '../contracts/outcome';

/** A message received from a queue, with its attributes flattened to strings. */
export interface ReceivedMessage {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Receives and deletes whatever is on a queue, until `until` says enough or the time runs
 * out. Used to read outcomes (and the DLQ) in local runs and tests.
 */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: { until: (received: readonly ReceivedMessage[]) => boolean; timeoutMs: number },
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const deadline = Date.now() + options.timeoutMs;
  while (!options.until(received) && Date.now() < deadline) {
    // Long polls of one second: never a busy loop, and at most a second past the deadline.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) continue;
    received.push(...Messages.map(toReceived));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return received;
}

/** The outcomes among received messages (messages that are not outcomes are an error). */
export function toOutcomes(messages: readonly ReceivedMessage[]): Outcome[] {
  return messages.map((m) => readOutcomeMessage(m.body));
}

function toReceived(message: Message): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return { body: message.Body ?? '', attributes };
}
