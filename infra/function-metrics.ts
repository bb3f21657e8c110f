import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, MetricName, OUTCOME_STATUSES, SERVICE_NAME } from './metrics';

/** A metric of the function, with the `service` dimension it puts on all of them. */
export function alationMetric(
  metricName: string,
  dimensions: Record<string, string>,
  statistic: string,
  period: Duration,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, ...dimensions },
    statistic,
    period,
    label,
  });
}

/** Per-status outcome counts keyed by math-expression id (`successful` → `successful`, ...). */
export function outcomeMetrics(period: Duration): Record<string, cloudwatch.IMetric> {
  return Object.fromEntries(
    OUTCOME_STATUSES.map((status) => [status, alationMetric(MetricName.OutcomesPublished, { status }, 'Sum', period, status)]),
  );
}
