import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { alationMetric, outcomeMetrics } from './function-metrics';
import { ALATION_ERROR_CLASSES, MetricName } from './metrics';

/** What the dashboard shows. */
export interface DashboardSources {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** One per subscription of the outcome topic. */
  readonly subscriptionDeadLetterQueues?: readonly sqs.IQueue[];
  readonly fn: lambda.IFunction;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const PERIOD = Duration.minutes(5);
const WIDTH = 12;

/**
 * The operations dashboard: queue depth, jobs in flight, outcomes by status,
 * Alation latency and errors, the function, and the alarms.
 */
export function buildDashboard(scope: Construct, sources: DashboardSources): cloudwatch.Dashboard {
  const { queue, deadLetterQueue, fn } = sources;
  const visible = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'visible' });
  const inFlight = queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum', label: 'being checked' });
  const delayed = queue.metric('ApproximateNumberOfMessagesDelayed', { period: PERIOD, statistic: 'Maximum', label: 'waiting for next check' });
  const dlqDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'DLQ' });

  // Every watched job is one message in the queue: visible, being processed, or delayed until its next check.
  const jobsInFlight = new cloudwatch.MathExpression({
    expression: 'FILL(visible, 0) + FILL(notVisible, 0) + FILL(delayed, 0)',
    usingMetrics: { visible, notVisible: inFlight, delayed },
    period: PERIOD,
    label: 'jobs in flight',
  });

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(24),
  });
  dashboard.addWidgets(
    new cloudwatch.SingleValueWidget({ title: 'Jobs in flight', metrics: [jobsInFlight], width: 6, height: 6 }),
    new cloudwatch.GraphWidget({
      title: 'Job queue depth',
      left: [visible, inFlight, delayed],
      right: [
        dlqDepth,
        // A graph widget holds at most 100 metrics; the alarms cover every subscriber anyway.
        ...(sources.subscriptionDeadLetterQueues ?? []).slice(0, 20).map((q, i) =>
          q.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: `subscriber DLQ ${i + 1}` }),
        ),
      ],
      stacked: true,
      width: 18,
      height: 6,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Outcomes by status',
      left: Object.values(outcomeMetrics(PERIOD)),
      stacked: true,
      width: WIDTH,
    }),
    new cloudwatch.GraphWidget({
      title: 'Checks and re-queues',
      left: [
        alationMetric(MetricName.JobChecks, {}, 'Sum', PERIOD, 'checks'),
        alationMetric(MetricName.JobsRequeued, {}, 'Sum', PERIOD, 're-queued'),
        alationMetric(MetricName.InvalidMessages, {}, 'Sum', PERIOD, 'invalid'),
        alationMetric(MetricName.DuplicateOutcomesSuppressed, {}, 'Sum', PERIOD, 'duplicates suppressed'),
      ],
      width: WIDTH,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Alation latency (ms)',
      left: ['p50', 'p90', 'p99', 'Maximum'].map((stat) =>
        alationMetric(MetricName.AlationLatency, {}, stat, PERIOD, stat),
      ),
      width: WIDTH,
    }),
    new cloudwatch.GraphWidget({
      title: 'Alation errors by class',
      left: ALATION_ERROR_CLASSES.map((errorClass) =>
        alationMetric(MetricName.AlationErrors, { errorClass }, 'Sum', PERIOD, errorClass),
      ),
      stacked: true,
      width: WIDTH,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Function',
      left: [
        fn.metricInvocations({ period: PERIOD, label: 'invocations' }),
        fn.metricErrors({ period: PERIOD, label: 'errors' }),
        fn.metricThrottles({ period: PERIOD, label: 'throttles' }),
      ],
      right: [fn.metricDuration({ period: PERIOD, statistic: 'p99', label: 'duration p99 (ms)' })],
      width: WIDTH,
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...sources.alarms], width: WIDTH }),
  );
  return dashboard;
}
