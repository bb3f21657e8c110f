/**
 * Errors raised by the local AWS stand-ins.
 *
 * One base class so callers can tell "the local emulator misbehaved" apart from errors of
 * the code under test (`err instanceof LocalAwsError`).
 */
export class LocalAwsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalAwsError';
  }
}

/**
 * An error the local Secrets Manager answers with, in the AWS JSON 1.1 error shape
 * (`__type` + `message`, HTTP 400), so the SDK deserialises it into its own exception class
 * (e.g. `ResourceNotFoundException`).
 */
export class SecretsManagerServiceError extends LocalAwsError {
  /** The AWS error code sent as `__type`, e.g. `ResourceNotFoundException`. */
  readonly code: string;
  /** HTTP status the server answers with; AWS uses 400 for every client error here. */
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'SecretsManagerServiceError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** A local endpoint could not be started or stopped. */
export class LocalEndpointError extends LocalAwsError {
  /** Which stand-in failed: `sqs-sns`, `dynamodb` or `secrets-manager`. */
  readonly endpoint: string;

  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(`${endpoint}: ${message}`, options);
    this.name = 'LocalEndpointError';
    this.endpoint = endpoint;
  }
}

/** Creating one of the job-watch resources failed; names the resource. */
export class ProvisionError extends LocalAwsError {
  /** The resource that could not be created, e.g. `queue job-watch-jobs`. */
  readonly resource: string;

  constructor(resource: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`could not provision ${resource}${reason}`, options);
    this.name = 'ProvisionError';
    this.resource = resource;
  }
}
