/**
 * The metric contract of the job-status function (Powertools Metrics, EMF).
 *
 * The dashboard and alarms are built from these names, so a rename in the
 * handler must be mirrored here.
 */
export const METRICS_NAMESPACE = 'AlationJobWatch';

/** Value of the `service` dimension that the handler puts on every metric. */
export const SERVICE_NAME = 'alation-job-watch';

/** Metric names the handler emits. */
export const MetricName = {
  JobChecks: 'JobChecks',
  JobsRequeued: 'JobsRequeued',
  OutcomesPublished: 'OutcomesPublished',
  AlationLatency: 'AlationLatency',
  AlationErrors: 'AlationErrors',
  InvalidMessages: 'InvalidMessages',
  DuplicateOutcomesSuppressed: 'DuplicateOutcomesSuppressed',
} as const;

/** Values of the `status` dimension on `OutcomesPublished` (and of the `status` message attribute). */
export const OUTCOME_STATUSES = [
  'successful',
  'partially_successful',
  'failed',
  'timed_out',
  'not_found',
] as const;

/** An outcome status, as published in the `status` message attribute. */
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** Values of the `errorClass` dimension on `AlationErrors`. */
export const ALATION_ERROR_CLASSES = [
  'network',
  'timeout',
  'rate_limited',
  'server_error',
  'bad_response',
  'auth',
  'not_found',
] as const;

/** An Alation error class, as emitted in the `errorClass` dimension. */
export type AlationErrorClass = (typeof ALATION_ERROR_CLASSES)[number];
