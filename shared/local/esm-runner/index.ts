/**
 * A local emulator of Lambda's SQS event source mapping, for integration tests and `npm start`.
 */
export { startEventSourceMapping } from './event-source-mapping';
export type {
  BatchResult,
  EventSourceMapping,
  EventSourceMappingOptions,
  EventSourceMappingStats,
  SqsBatchHandler,
} from './event-source-mapping';
export { settleBatch, BatchFailureReason } from './batch-settlement';
export type { BatchSettlement, InvocationOutcome, SettleBatchOptions } from './batch-settlement';
export { toSqsEvent, toSqsRecord } from './sqs-event';
export type { RecordSource } from './sqs-event';
export { createLambdaContext } from './lambda-context';
export type { LambdaContextOptions } from './lambda-context';
export { EventSourceMappingError, EventSourceMappingConfigError, HandlerTimeoutError } from './errors';
