/** Base class of the event-source-mapping runner's errors. */
export class EventSourceMappingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventSourceMappingError';
  }
}

/**
 * The mapping was configured in a way AWS would refuse at deploy time (e.g. a visibility
 * timeout shorter than the function timeout), so it fails here too rather than locally "working".
 */
export class EventSourceMappingConfigError extends EventSourceMappingError {
  constructor(message: string) {
    super(message);
    this.name = 'EventSourceMappingConfigError';
  }
}

/** The handler did not settle within the function timeout; Lambda fails the whole batch. */
export class HandlerTimeoutError extends EventSourceMappingError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    this.name = 'HandlerTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}
