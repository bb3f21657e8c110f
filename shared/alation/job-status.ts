/**
 * Alation's answer to `GET /api/v1/bulk_metadata/job/`, as far as the client checks it:
 * `status` is a string; `msg` and `result` are whatever Alation sent.
 */
export interface AlationJobStatus {
  readonly status: string;
  readonly msg: unknown;
  readonly result: unknown;
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
