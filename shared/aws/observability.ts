import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RecordLog, WatchMetrics } from '../watch/process-record';

/** The CloudWatch namespace and service name the CDK stack's dashboard and alarms read. */
export const Observability = {
  namespace: 'AlationJobWatch',
  serviceName: 'alation-job-watch',
} as const;

/** Metric names: a public contract with the dashboard and alarms in `infra/`. */
export const MetricName = {
  jobChecks: 'JobChecks',
  jobsRequeued: 'JobsRequeued',
  outcomesPublished: 'OutcomesPublished',
  alationLatency: 'AlationLatency',
  alationErrors: 'AlationErrors',
  invalidMessages: 'InvalidMessages',
  duplicateOutcomesSuppressed: 'DuplicateOutcomesSuppressed',
} as const;

export function createLogger(): Logger {
  return new Logger({ serviceName: Observability.serviceName });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: Observability.namespace, serviceName: Observability.serviceName });
}

/** Every line of one record carries its SQS message id and its job (`id:42` / `name:…`). */
export function recordLogger(logger: Logger) {
  return (keys: { messageId: string; job?: string }): RecordLog => {
    const child = logger.createChild({ persistentKeys: keys });
    return {
      info: (message, extra = {}) => child.info(message, extra),
      warn: (message, extra = {}) => child.warn(message, extra),
      error: (message, extra = {}) => child.error(message, extra),
    };
  };
}

/**
 * Metrics in EMF through Powertools. Counts without a dimension of their own are
 * aggregated and flushed once per invocation; those split by status or error class are
 * emitted as single metrics, since one EMF document holds one set of dimensions.
 */
export function powertoolsWatchMetrics(metrics: Metrics): WatchMetrics {
  const withDimension = (name: string, dimension: string, value: string) =>
    metrics.singleMetric().addDimension(dimension, value).addMetric(name, MetricUnit.Count, 1);
  return {
    check: (latencyMs) => {
      metrics.addMetric(MetricName.jobChecks, MetricUnit.Count, 1);
      metrics.addMetric(MetricName.alationLatency, MetricUnit.Milliseconds, Math.round(latencyMs));
    },
    alationError: (errorClass) => withDimension(MetricName.alationErrors, 'errorClass', errorClass),
    requeued: () => metrics.addMetric(MetricName.jobsRequeued, MetricUnit.Count, 1),
    outcome: (status) => withDimension(MetricName.outcomesPublished, 'status', status),
    duplicateSuppressed: () => metrics.addMetric(MetricName.duplicateOutcomesSuppressed, MetricUnit.Count, 1),
    invalidMessage: () => metrics.addMetric(MetricName.invalidMessages, MetricUnit.Count, 1),
  };
}
