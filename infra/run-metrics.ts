import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { runMetrics } from '../functions/runner/metric-names.js';

/** The metrics runs publish (EMF), by their key in `runMetrics`. */
export type RunMetricName =
  | 'runs'
  | 'succeeded'
  | 'cutShort'
  | 'skipped'
  | 'failures'
  | 'duration'
  | 'rowsDeleted';

/** A run metric of one job, with the dimensions every run publishes (`service`, `job`). */
export function runMetric(
  job: string,
  name: RunMetricName,
  period: Duration,
  statistic = name === 'duration' ? 'Maximum' : 'Sum',
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: runMetrics.namespace,
    metricName: runMetrics[name],
    dimensionsMap: { service: runMetrics.serviceName, [runMetrics.jobDimension]: job },
    period,
    statistic,
    label: runMetrics[name],
  });
}
