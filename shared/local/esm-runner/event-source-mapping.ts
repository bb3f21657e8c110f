import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { settleBatch, type BatchSettlement, type InvocationOutcome } from './batch-settlement';
import { EventSourceMappingConfigError, HandlerTimeoutError } from './errors';
import { createLambdaContext } from './lambda-context';
import { toSqsEvent } from './sqs-event';

/** The function the mapping invokes: the Lambda handler itself. */
export type SqsBatchHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | void | undefined | null> | SQSBatchResponse | void;

/** Options of {@link startEventSourceMapping}. */
export interface EventSourceMappingOptions {
  /** The client to poll with; the caller owns it (and destroys it). */
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Copied into each record's `eventSourceARN`. */
  readonly queueArn: string;
  readonly handler: SqsBatchHandler;
  /** Records per invocation, 1–10 (one ReceiveMessage call). @default 10 */
  readonly batchSize?: number;
  /**
   * Overrides the queue's visibility timeout on receive. Lambda does not do this (it uses the
   * queue's); it is here so a test can shorten redelivery without re-creating the queue.
   * @default the queue's own
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive; `stop()` aborts a pending one. @default 1 */
  readonly waitTimeSeconds?: number;
  /**
   * The function timeout: past it the invocation counts as failed (whole batch back to the queue),
   * and `context.getRemainingTimeInMillis()` counts down from it.
   * @default visibilityTimeoutSeconds × 1000 when given, else 30 000
   */
  readonly functionTimeoutMs?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'job-status' */
  readonly functionName?: string;
  /** `FunctionResponseTypes: ['ReportBatchItemFailures']` on the mapping. @default true */
  readonly reportBatchItemFailures?: boolean;
  /** Called after each batch is settled and its deletions sent, e.g. to log in `npm start`. */
  readonly onBatch?: (result: BatchResult) => void;
  /** Called on polling errors (receive / delete) that are not caused by `stop()`. @default ignore */
  readonly onError?: (error: Error) => void;
}

/** One invocation and what the mapping did with its messages. */
export interface BatchResult {
  readonly event: SQSEvent;
  readonly settlement: BatchSettlement;
  readonly durationMs: number;
}

/** Counters since start, for assertions and the demo's status line. */
export interface EventSourceMappingStats {
  /** Invocations of the handler. */
  batches: number;
  /** Records handed to the handler, redeliveries included. */
  records: number;
  /** Records the mapping deleted (asked to delete) after a successful or partial batch. */
  deleted: number;
  /** Records the handler listed in `batchItemFailures` (batches that were not failed whole). */
  failuresReported: number;
  /** Batches failed whole: thrown, timed out or an invalid batch response. */
  batchesFailed: number;
  /** Invocations that threw or timed out. */
  handlerErrors: number;
  /** Invocations that exceeded `functionTimeoutMs` (also counted in `handlerErrors`). */
  timeouts: number;
  /** Invocations whose response broke the batch-response rules. */
  invalidResponses: number;
  /** Receive or delete calls that failed. */
  pollingErrors: number;
}

/** A running mapping. */
export interface EventSourceMapping {
  /** A snapshot of the counters. */
  stats(): Readonly<EventSourceMappingStats>;
  /** Stops polling, waits for the batch in flight (handler and deletions), aborts a pending long poll. */
  stop(): Promise<void>;
}

const DEFAULT_FUNCTION_TIMEOUT_MS = 30_000;

async function invoke(handler: SqsBatchHandler, event: SQSEvent, context: Context, timeoutMs: number): Promise<InvocationOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    // Lambda cannot be raced locally: a timed-out handler keeps running in this process, but its
    // batch is settled as failed exactly as Lambda would settle it.
    const response = await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
    return { kind: 'returned', response };
  } catch (error) {
    return { kind: 'threw', error };
  } finally {
    clearTimeout(timer);
  }
}

function validate(options: EventSourceMappingOptions, functionTimeoutMs: number): void {
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    // Larger SQS batches need a batching window over several receives; not emulated.
    throw new EventSourceMappingConfigError(`batchSize must be 1–10, got ${batchSize}`);
  }
  const visibility = options.visibilityTimeoutSeconds;
  if (visibility !== undefined && visibility * 1000 < functionTimeoutMs) {
    // AWS refuses this mapping at deploy time (aws-notes: visibility timeout ≥ function timeout).
    throw new EventSourceMappingConfigError(
      `visibility timeout ${visibility}s is shorter than the function timeout ${functionTimeoutMs}ms`,
    );
  }
}

/**
 * Emulates Lambda's SQS event source mapping in this process, on top of `sqs-consumer`:
 * receives batches (with `All` system and message attributes), invokes the handler with a
 * Lambda-shaped `SQSEvent` and `Context`, then deletes what Lambda would delete (see
 * {@link settleBatch}). Records left on the queue reappear after the visibility timeout and,
 * past the queue's `maxReceiveCount`, move to its DLQ through the redrive policy.
 *
 * One batch at a time (Lambda would run up to `maxConcurrency` in parallel).
 *
 * @example
 * const esm = startEventSourceMapping({ sqs, queueUrl, queueArn, handler });
 * // ...
 * await esm.stop();
 */
export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const region = options.region ?? 'us-east-1';
  const functionName = options.functionName ?? 'job-status';
  const functionTimeoutMs =
    options.functionTimeoutMs ??
    (options.visibilityTimeoutSeconds === undefined ? DEFAULT_FUNCTION_TIMEOUT_MS : options.visibilityTimeoutSeconds * 1000);
  validate(options, functionTimeoutMs);

  const stats: EventSourceMappingStats = {
    batches: 0,
    records: 0,
    deleted: 0,
    failuresReported: 0,
    batchesFailed: 0,
    handlerErrors: 0,
    timeouts: 0,
    invalidResponses: 0,
    pollingErrors: 0,
  };
  let stopping = false;
  /** Settles once the batch in flight has been handled and its deletions sent. */
  let inFlight: { done: Promise<void>; finish: () => void } | undefined;
  let pendingResult: BatchResult | undefined;

  async function handleMessageBatch(messages: Message[]): Promise<Message[]> {
    // A receive that completed while stopping: leave the messages for the visibility timeout,
    // as Lambda does for a mapping being disabled.
    if (stopping) return [];
    let finish!: () => void;
    inFlight = { done: new Promise<void>((resolve) => (finish = resolve)), finish };

    const started = Date.now();
    const event = toSqsEvent(messages, { queueArn: options.queueArn, region });
    const context = createLambdaContext({ functionName, timeoutMs: functionTimeoutMs, region });
    stats.batches += 1;
    stats.records += messages.length;

    const outcome = await invoke(options.handler, event, context, functionTimeoutMs);
    const settlement = settleBatch(
      event.Records.map((r) => r.messageId),
      outcome,
      options.reportBatchItemFailures === undefined ? {} : { reportBatchItemFailures: options.reportBatchItemFailures },
    );

    if (outcome.kind === 'threw') {
      stats.handlerErrors += 1;
      if (outcome.error instanceof HandlerTimeoutError) stats.timeouts += 1;
    }
    if (settlement.kind === 'failed') {
      stats.batchesFailed += 1;
      if (settlement.reason === 'invalid-response') stats.invalidResponses += 1;
    } else {
      stats.failuresReported += settlement.failedMessageIds.length;
      stats.deleted += settlement.deleteMessageIds.length;
    }
    pendingResult = { event, settlement, durationMs: Date.now() - started };

    const toDelete = new Set(settlement.deleteMessageIds);
    // sqs-consumer deletes exactly the messages returned here (DeleteMessageBatch).
    return messages.filter((m) => m.MessageId !== undefined && toDelete.has(m.MessageId));
  }

  const consumer = Consumer.create({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    batchSize: options.batchSize ?? 10,
    waitTimeSeconds: options.waitTimeSeconds ?? 1,
    ...(options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeout: options.visibilityTimeoutSeconds }),
    // Lambda asks for every system attribute and every message attribute.
    messageSystemAttributeNames: ['All'],
    messageAttributeNames: ['All'],
    handleMessageBatch,
    // Lambda leaves a failed batch invisible for the rest of the visibility timeout.
    terminateVisibilityTimeout: false,
  });

  const settleInFlight = (): void => {
    const result = pendingResult;
    pendingResult = undefined;
    inFlight?.finish();
    inFlight = undefined;
    if (result) options.onBatch?.(result);
  };
  // Emitted after the handler and the DeleteMessageBatch call, whether or not the delete failed.
  consumer.on('response_processed', settleInFlight);
  consumer.on('error', (error) => {
    // stop() aborts the pending long poll; sqs-consumer reports it as SQSError "...: Request aborted".
    if (stopping && /abort/i.test(error.message)) return;
    stats.pollingErrors += 1;
    options.onError?.(error);
  });

  consumer.start();

  return {
    stats: () => ({ ...stats }),
    async stop() {
      if (stopping) return;
      stopping = true;
      const current = inFlight;
      if (current) await current.done;
      // abort: a pending long poll would otherwise hold the stop for up to waitTimeSeconds.
      consumer.stop({ abort: true });
    },
  };
}
