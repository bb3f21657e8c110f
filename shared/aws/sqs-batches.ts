import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/**
 * SQS batch limits (SendMessageBatch reference): at most 10 entries, and the sum of the
 * entries' payloads (body plus message attributes: names, types and values) at most the
 * maximum message size, 1 MiB since SQS raised it from 256 KiB (aws-notes.md; fauxqs 1.9
 * enforces the same). A queue or endpoint that still has a smaller limit answers
 * `BatchRequestTooLong`; callers fall back to single sends then.
 */
export const SQS_BATCH_LIMITS = {
  entries: 10,
  payloadBytes: 1_048_576,
} as const;

/** What SQS counts of one entry toward the batch payload. */
export function sqsEntryBytes(entry: { readonly MessageBody?: string | undefined; readonly MessageAttributes?: Record<string, MessageAttributeValue> | undefined }): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    bytes += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue, 'utf8') : (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

/**
 * Splits entries, in order, into batches within both limits. An entry larger than the
 * payload limit on its own gets a batch of its own (send it with SendMessage, where only the
 * message size limit applies). Pure and linear.
 */
export function splitIntoBatches<T>(entries: readonly T[], bytesOf: (entry: T) => number, limits: { entries: number; payloadBytes: number } = SQS_BATCH_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const bytes = bytesOf(entry);
    if (current.length > 0 && (current.length >= limits.entries || currentBytes + bytes > limits.payloadBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
