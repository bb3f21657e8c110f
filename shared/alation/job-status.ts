/**
 * Alation's answer to `GET /api/v1/bulk_metadata/job/`, as far as the client checks it:
 * `status` is a string; `msg` and `result` are whatever Alation sent.
 */
export interface AlationJobStatus {
  readonly status: string;
  readonly msg: unknown;
  readonly result: unknown;
  /**
   * Set when the answer was too large to decode (bytes or JSON values, see `parse-limits.ts`):
   * `status` (and `msg`, when within its budget) were scanned out of it, `result` is null and
   * was never read. Absent on every answer read whole.
   */
  readonly resultOmitted?: ResultOmitted;
}

/** Why Alation's `result` was not read, and how large the answer was. */
export interface ResultOmitted {
  /** In plain words, e.g. "the answer is 6291456 bytes, more than the 4194304 read whole". */
  readonly reason: string;
  /** The answer's size in bytes (as read; for JSON values, the whole answer). */
  readonly bytes: number;
}

/** Alation's statuses that mean the job will not change again. */
export const FINAL_ALATION_STATUSES = ['successful', 'partially_successful', 'failed'] as const;
export type FinalAlationStatus = (typeof FINAL_ALATION_STATUSES)[number];

/**
 * Whether a status is final. `running` and any value Alation may add later are not:
 * watching a little longer is cheaper than reporting a job that has not ended.
 */
export function isFinalStatus(status: string): status is FinalAlationStatus {
  return (FINAL_ALATION_STATUSES as readonly string[]).includes(status);
}
