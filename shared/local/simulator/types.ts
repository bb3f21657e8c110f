/**
 * Shared types of the Alation simulator. Kept apart from the server so pure modules
 * (presets, faults, job status) can import them without pulling in `node:http`.
 */

/** Any value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * Statuses a job can report. `partially_successful` is not on Alation's reference page but is
 * modelled by Alation's own Allie-SDK (`allie_sdk/models/job_model.py`), so clients must expect it.
 */
export const JOB_STATUSES = {
  running: 'running',
  successful: 'successful',
  failed: 'failed',
  partiallySuccessful: 'partially_successful',
} as const;

/** One of {@link JOB_STATUSES}. */
export type KnownJobStatus = (typeof JOB_STATUSES)[keyof typeof JOB_STATUSES];

/**
 * The body Alation's Job Status API answers with. `status` is a plain string so a scenario can
 * return a status no client knows yet (the case Allie-SDK loops forever on).
 */
export interface JobStatusBody {
  readonly status: string;
  readonly msg: string;
  readonly result: JsonValue;
}

/**
 * An explicit final body for a job. When `msg` is omitted the simulator computes
 * `Job finished in X seconds at ...` from the job's real duration and finish time.
 */
export interface FinalBodyDefinition {
  readonly status: string;
  readonly msg?: string;
  readonly result: JsonValue;
}

/**
 * How a simulated job behaves. A job is `running` until `durationMs` has passed since it was
 * created *and* it has answered `pollsBeforeDone` genuine polls; then it reports its final body.
 *
 * @example
 * { name: 'MetadataExtraction#1_2017-10-05', durationMs: 200, preset: 'countsWithErrors' }
 */
export interface JobDefinition {
  /** Integer id for `?id=`. @default the next free id, counting from 1 */
  readonly id?: number;
  /** Name for `?name=`; real names usually contain `#`. @default none: the job is found by id only */
  readonly name?: string;
  /** Time from creation until the job finishes. @default 0 */
  readonly durationMs?: number;
  /**
   * Genuine polls answered `running` before the job may finish. Lets a test finish a job without
   * sleeping; faulted requests do not count. @default 0
   */
  readonly pollsBeforeDone?: number;
  /** Named final response; mutually exclusive with `body`. @default 'counts' */
  readonly preset?: string;
  /** Explicit final response; mutually exclusive with `preset`. */
  readonly body?: FinalBodyDefinition;
  /**
   * For the `followUp` preset: id of the second job named in its result text. The simulator
   * creates that job too (preset `counts`, twice the parent's duration) so it can be tracked.
   * @default the next free id
   */
  readonly followUpJobId?: number;
}

/** What {@link JobDefinition}s resolve to once registered. */
export interface AddedJob {
  readonly id: number;
  readonly name?: string;
}

/** A refresh token the simulator accepts on `createAPIAccessToken`. */
export interface RefreshTokenGrant {
  readonly refreshToken: string;
  readonly userId: number;
  /** Shown by `validateRefreshToken` as `name`. @default 'alation-job-watch' */
  readonly name?: string;
  /**
   * When it expires, in ms since the epoch (the simulator's clock).
   * @default created + the simulator's `refreshTokenTtlMs` (Alation's 60 days)
   */
  readonly expiresAtMs?: number;
  /** Revoked from the start (as if an admin revoked it in Alation's UI). @default false */
  readonly revoked?: boolean;
}

/** One request as it reached the simulator, for tests to assert on what a client sent. */
export interface RecordedRequest {
  readonly method: string;
  /** Path plus raw (still percent-encoded) query string, e.g. `/api/v1/bulk_metadata/job/?name=a%231`. */
  readonly path: string;
  /** Headers as Node parsed them (lower-cased names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw request body, `''` when there was none. */
  readonly body: string;
}

/** What a single HTTP answer of the simulator consists of; built by pure handlers. */
export interface SimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}
