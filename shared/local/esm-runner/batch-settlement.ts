import { describeError } from '../../errors';

/** How one invocation ended, as seen by the event source mapping. */
export type InvocationOutcome =
  | { readonly kind: 'returned'; readonly response: unknown }
  | { readonly kind: 'threw'; readonly error: unknown };

/** Why the whole batch went back to the queue. */
export const BatchFailureReason = {
  handlerError: 'handler-error',
  invalidResponse: 'invalid-response',
} as const;
export type BatchFailureReason = (typeof BatchFailureReason)[keyof typeof BatchFailureReason];

/** What to do with a batch's messages after the invocation: delete some, leave the rest. */
export type BatchSettlement =
  | { readonly kind: 'succeeded'; readonly deleteMessageIds: readonly string[]; readonly failedMessageIds: readonly [] }
  | {
      readonly kind: 'partially-failed';
      readonly deleteMessageIds: readonly string[];
      readonly failedMessageIds: readonly string[];
    }
  | {
      readonly kind: 'failed';
      readonly deleteMessageIds: readonly [];
      readonly failedMessageIds: readonly string[];
      readonly reason: BatchFailureReason;
      readonly detail: string;
    };

/** Options of {@link settleBatch}. */
export interface SettleBatchOptions {
  /**
   * Whether the mapping has `FunctionResponseTypes: ['ReportBatchItemFailures']`. Without it
   * Lambda ignores the response and deletes the whole batch when the function returns.
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies Lambda's rules for an SQS batch (Lambda developer guide, "Handling errors for an
 * SQS event source"):
 * - the function threw or timed out → the whole batch fails, nothing is deleted;
 * - it returned nothing, `{}`, or an empty / null `batchItemFailures` → every message is deleted;
 * - it listed failures → those stay on the queue, the others are deleted;
 * - a failure with an empty, missing or unknown `itemIdentifier`, or a response that is not a
 *   batch response at all → the whole batch fails.
 *
 * Pure, so each rule is testable without a queue.
 */
export function settleBatch(
  messageIds: readonly string[],
  outcome: InvocationOutcome,
  options: SettleBatchOptions = {},
): BatchSettlement {
  const failWhole = (reason: BatchFailureReason, detail: string): BatchSettlement => ({
    kind: 'failed',
    deleteMessageIds: [],
    failedMessageIds: [...messageIds],
    reason,
    detail,
  });
  const succeed = (): BatchSettlement => ({ kind: 'succeeded', deleteMessageIds: [...messageIds], failedMessageIds: [] });

  if (outcome.kind === 'threw') {
    const error = outcome.error;
    return failWhole(BatchFailureReason.handlerError, describeError(error));
  }
  if (options.reportBatchItemFailures === false) return succeed();

  const response = outcome.response;
  if (response === undefined || response === null) return succeed();
  if (!isRecord(response)) return failWhole(BatchFailureReason.invalidResponse, `response is not an object: ${JSON.stringify(response)}`);
  const failures = response['batchItemFailures'];
  if (failures === undefined || failures === null) return succeed();
  if (!Array.isArray(failures)) return failWhole(BatchFailureReason.invalidResponse, 'batchItemFailures is not a list');

  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = isRecord(failure) ? failure['itemIdentifier'] : undefined;
    if (typeof id !== 'string' || id === '') {
      return failWhole(BatchFailureReason.invalidResponse, `itemIdentifier is empty or missing: ${JSON.stringify(failure)}`);
    }
    if (!known.has(id)) {
      return failWhole(BatchFailureReason.invalidResponse, `itemIdentifier ${id} is not a message of this batch`);
    }
    failed.add(id);
  }
  if (failed.size === 0) return succeed();
  return {
    kind: 'partially-failed',
    deleteMessageIds: messageIds.filter((id) => !failed.has(id)),
    failedMessageIds: messageIds.filter((id) => failed.has(id)),
  };
}
