/**
 * Every error the project throws on purpose. One base class, so callers can tell our
 * errors from bugs, and one field, `retryable`, that the rest of the code asks instead
 * of re-deciding what is worth another try.
 */

/** Why an Alation call failed, in the words used by metrics, logs and outcomes. */
export const AlationErrorClass = {
  network: 'network',
  timeout: 'timeout',
  rateLimited: 'rate_limited',
  serverError: 'server_error',
  badResponse: 'bad_response',
  auth: 'auth',
  notFound: 'not_found',
  /** Alation's TLS certificate was not trusted (private CA not configured, expired, wrong host). */
  tls: 'tls',
} as const;
export type AlationErrorClass = (typeof AlationErrorClass)[keyof typeof AlationErrorClass];

/** Base class of the project's own errors. */
export class JobWatchError extends Error {
  /** Whether the same call, made again later, may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** One field of an input that failed validation, with the reason in plain words. */
export interface FieldIssue {
  /** Dotted path of the field (`jobId`, `context`), or `(body)` for the whole input. */
  readonly field: string;
  readonly problem: string;
}

/** A job reference (an SQS body or a producer's input) that is not valid. Never retryable. */
export class InvalidJobReferenceError extends JobWatchError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[]) {
    super(`invalid job reference: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`);
    this.issues = issues;
  }
}

/** The configuration (environment, CLI flags) is missing or malformed. */
export class ConfigError extends JobWatchError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`);
    this.issues = issues;
  }
}

/** The token secret could not be read or does not hold a usable token. */
export class TokenSecretError extends JobWatchError {
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options);
  }
}

/** A call to Alation failed; `errorClass` says how, `retryable` whether to try again. */
export class AlationError extends JobWatchError {
  readonly errorClass: AlationErrorClass;
  /** HTTP status, when Alation answered at all. */
  readonly httpStatus: number | undefined;
  /** Seconds Alation asked us to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    errorClass: AlationErrorClass,
    message: string,
    options: { httpStatus?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { retryable: isRetryableClass(errorClass), cause: options.cause });
    this.errorClass = errorClass;
    this.httpStatus = options.httpStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * The one place that decides which Alation failures are worth another try.
 * Auth failures are not retried blindly: the caller re-reads the token once instead.
 * An unknown job (404/400) is final for one check; the watcher still bounds how many
 * such answers it tolerates, because a job can be looked up before Alation records it.
 */
export function isRetryableClass(errorClass: AlationErrorClass): boolean {
  // An untrusted certificate stays untrusted until an operator changes the CA or the certificate.
  return errorClass !== AlationErrorClass.auth && errorClass !== AlationErrorClass.notFound && errorClass !== AlationErrorClass.tls;
}

/**
 * The key that seals the watch state could not be read or is unusable. Always retryable for
 * the record: a missing key must never turn a genuine watch state into a "forged" one.
 */
export class WatchStateKeyError extends JobWatchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retryable: true, ...options });
  }
}

/**
 * A record ran out of its share of the invocation: its checks were stopped (or its effect
 * not started) so that nothing is cut mid-publish by the function timeout. Always
 * retryable: the record is reported in `batchItemFailures` and delivered again.
 */
export class TimeBudgetError extends JobWatchError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** One line naming an error for logs and reasons: `Name: message`, or the thrown value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
