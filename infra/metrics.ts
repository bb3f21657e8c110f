/**
 * The metric contract of the job-status function (Powertools Metrics, EMF), as the
 * dashboard and alarms read it. The names come from the handler's own modules, so a rename
 * there cannot leave the dashboard watching a metric nobody emits.
 */
import { MetricName, Observability } from '../shared/aws/metric-names';
import { OutcomeStatus } from '../shared/contracts/outcome-status';
import { AlationErrorClass } from '../shared/errors';

export { MetricName };
export type { OutcomeStatus, AlationErrorClass };

export const METRICS_NAMESPACE = Observability.namespace;

/** Value of the `service` dimension that the handler puts on every metric. */
export const SERVICE_NAME = Observability.serviceName;

/** Values of the `status` dimension on `OutcomesPublished` (and of the `status` message attribute). */
export const OUTCOME_STATUSES = Object.values(OutcomeStatus);

/** Values of the `errorClass` dimension on `AlationErrors`. */
export const ALATION_ERROR_CLASSES = Object.values(AlationErrorClass);
