/**
 * How much work reading one `result` may cost. Alation's answers are untrusted input (keys
 * inside `error_objects` come from whoever uploaded the metadata), so every part of the
 * parse has a budget. Beyond a budget the parser keeps what it read and sets `truncated`.
 *
 * Sized so that the largest answer the client accepts ({@link MAX_ANSWER_BYTES}) parses
 * well inside the function's default 256 MB, and so that what the outcome keeps is already
 * about what one SNS notification (256 KB) can carry; `npm run bench` measures it.
 */
export const ResultParseLimits = {
  /**
   * A `result` string holding more JSON values than this is not decoded (it is read as text,
   * with `parseError`): decoding costs about 120 bytes per value whatever the bytes, and a bulk
   * request names at most 10,000 objects, a few values each.
   */
  maxJsonValues: 250_000,
  /** Values (strings, numbers, lists, objects) visited in a decoded result. */
  maxNodes: 1_000_000,
  /** Nesting followed when walking a result; deeper values are neither read nor kept. */
  maxDepth: 64,
  /** Characters of text read for counts and follow-up job ids, all strings together. */
  maxScanChars: 1024 * 1024,
  /** The decoded result kept as `data`, in characters of its JSON (about). */
  maxDataChars: 256 * 1024,
  /** `text` and `error` are kept up to this many characters. */
  maxTextChars: 64 * 1024,
  /** Error objects kept in `errorObjects`; `errorObjectCount` still counts them all. */
  maxErrorObjects: 1000,
  /** Each error object's `key` and `message`, in characters. */
  maxErrorMessageChars: 2000,
  /** Follow-up job ids read from one result. */
  maxFollowUpJobIds: 100,
} as const;

/**
 * The largest Alation answer (the whole HTTP body, in bytes) the client reads. A bulk API
 * takes at most 10,000 objects per request (Alation reference, "PUT multiple Custom Field
 * Values Async"); a result naming every one of them with a 200-character error is about 2 MiB.
 * Memory follows bytes (buffers, the text, its strings) and JSON values (about 120 bytes each
 * while decoding): this cap bounds the first, `maxJsonValues` the second. Together they keep a
 * whole batch of such answers within 75 % of the default 256 MB (measured: 191 MB peak RSS,
 * `npm run bench`). A larger answer is not decoded: its status is scanned from the stream, its
 * result omitted (see {@link MAX_SCANNED_ANSWER_BYTES}); a larger function memory does not raise
 * the cap.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The most of a status answer the client reads past {@link MAX_ANSWER_BYTES} to find its
 * top-level `status` (read as it streams in, kept nowhere: memory stays at the scanner's few
 * KiB). A huge real result (a 20 MiB list of error objects from a large metadata load) is when
 * its job's true status matters most; past this, an answer is a retryable bad response. Time
 * is bounded by the request timeout (`ALATION_TIMEOUT_MS`), which covers the whole body.
 */
export const MAX_SCANNED_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * What is kept of the top-level fields read from an answer too large to decode, in bytes as
 * written (escapes included). A longer value is not kept at all, rather than cut: a cut piece
 * could hold a cut piece of a credential that redaction no longer recognises.
 */
export const ScannedFieldLimits = {
  /** Alation's statuses are single words; a longer "status" is no status (a retryable bad response). */
  maxStatusBytes: 1024,
  /** About what the outcome keeps of `msg` (`maxTextChars`); a longer `msg` is left out. */
  maxMsgBytes: 64 * 1024,
} as const;

/** The most JSON values the client decodes in one answer (see `ResultParseLimits.maxJsonValues`). */
export const MAX_ANSWER_JSON_VALUES = ResultParseLimits.maxJsonValues;
