/** Limits of the job reference contract, documented in docs/contracts.md. */
export const JobReferenceLimits = {
  /** The serialized `context` object, in bytes (UTF-8). Keeps messages and outcomes small. */
  maxContextBytes: 8 * 1024,
  /** `kind` is a label, not a payload. */
  maxKindLength: 128,
  /**
   * The whole SQS body. A valid reference is far smaller; anything larger is refused
   * before it is parsed, so a huge body costs no more than a size check.
   */
  maxBodyBytes: 32 * 1024,
  /** `watch.lastError.message` is cut to this length when the watcher writes it. */
  maxErrorMessageLength: 1000,
} as const;
