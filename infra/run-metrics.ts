import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type RunMetricName, runMetrics } from '../functions/runner/metric-names.js';

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
