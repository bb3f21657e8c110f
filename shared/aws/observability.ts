import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { InvocationWatchMetrics } from '../watch/invocation';
import type { RecordLog, WatchMetrics } from '../watch/process-record';
import { MetricName, Observability } from './metric-names';

export function createLogger(): Logger {
  return new Logger({ serviceName: Observability.serviceName });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: Observability.namespace, serviceName: Observability.serviceName });
}

/**
 * Every line of one record carries its SQS message id and its job (`id:42` / `name:…`). The keys
 * go with each line rather than into a child logger per record: Powertools builds a whole
 * `Logger` for `createChild` (about ten times the CPU of a log line), and the line printed is
 * the same (persistent keys and extra keys land in the same place).
 */
export function recordLogger(logger: Logger) {
  return (keys: { messageId: string; job?: string }): RecordLog => ({
    info: (message, extra = {}) => logger.info(message, keys, extra),
    warn: (message, extra = {}) => logger.warn(message, keys, extra),
    error: (message, extra = {}) => logger.error(message, keys, extra),
  });
}

/**
 * Metrics in EMF through Powertools. Counts without a dimension of their own are aggregated
 * by Powertools and flushed once per invocation by `logMetrics`. Those split by status or
 * error class need an EMF document each (one document holds one set of dimensions): used
 * directly, each count is emitted at once as a single metric; through `forInvocation` (what the
 * batch handler does) they are summed per metric and value and emitted when the invocation
 * ends: one document for ten outcomes of one status, not ten (each `singleMetric` builds a
 * `Metrics` instance, about a tenth of a published record's CPU). The alarms and the dashboard
 * read these metrics as `Sum`, which is the same either way.
 */
export function powertoolsWatchMetrics(metrics: Metrics): WatchMetrics & { forInvocation(): InvocationWatchMetrics } {
  const emit = (name: string, dimension: string, value: string, count: number) =>
    metrics.singleMetric().addDimension(dimension, value).addMetric(name, MetricUnit.Count, count);
  const counts = (withDimension: (name: string, dimension: string, value: string) => void): WatchMetrics => ({
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
  });
  return {
    ...counts((name, dimension, value) => emit(name, dimension, value, 1)),
    forInvocation() {
      const held = new Map<string, { name: string; dimension: string; value: string; count: number }>();
      return {
        ...counts((name, dimension, value) => {
          const key = JSON.stringify([name, dimension, value]);
          const entry = held.get(key);
          if (entry) entry.count += 1;
          else held.set(key, { name, dimension, value, count: 1 });
        }),
        flush() {
          for (const { name, dimension, value, count } of held.values()) emit(name, dimension, value, count);
          held.clear();
        },
      };
    },
  };
}
