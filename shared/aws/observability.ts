import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RecordLog, WatchMetrics } from '../watch/process-record';
import { MetricName, Observability } from './metric-names';

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
      metrics.addMetric(MetricName.JobChecks, MetricUnit.Count, 1);
      metrics.addMetric(MetricName.AlationLatency, MetricUnit.Milliseconds, Math.round(latencyMs));
    },
    alationError: (errorClass) => withDimension(MetricName.AlationErrors, 'errorClass', errorClass),
    requeued: () => metrics.addMetric(MetricName.JobsRequeued, MetricUnit.Count, 1),
    outcome: (status) => withDimension(MetricName.OutcomesPublished, 'status', status),
    duplicateSuppressed: () => metrics.addMetric(MetricName.DuplicateOutcomesSuppressed, MetricUnit.Count, 1),
    invalidMessage: () => metrics.addMetric(MetricName.InvalidMessages, MetricUnit.Count, 1),
    unknownStatus: () => metrics.addMetric(MetricName.UnknownStatuses, MetricUnit.Count, 1),
    followUpEnqueued: () => metrics.addMetric(MetricName.FollowUpsEnqueued, MetricUnit.Count, 1),
    chainVerdict: (status) => withDimension(MetricName.ChainVerdicts, 'status', status),
    forgedWatchState: () => metrics.addMetric(MetricName.ForgedWatchState, MetricUnit.Count, 1),
  };
}
