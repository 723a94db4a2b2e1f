import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { schedulePeriod } from './freshness-window.js';
import { runMetric } from './run-metrics.js';

/**
 * The "rows in the DEFAULT partition" alarm of a purge job: rows that belong to a period (a value
 * in the cleanup's column) stayed in its table's DEFAULT partition after the runs of two periods
 * of its schedule in a row. They wait there until they expire, and block the partition of their
 * range from being made (docs/retention.md, "The DEFAULT partition watched").
 *
 * It reads `DefaultPartitionRows`, which a run publishes after counting (only for a table
 * range-partitioned by its column with a DEFAULT partition): its smallest value in a period of
 * about one run, so that a period counts only if every run in it found rows. No data (a plain
 * table, no DEFAULT, a count that failed) is not breaching.
 */
export function defaultPartitionAlarm(scope: Construct, entry: CatalogueEntry): cloudwatch.Alarm {
  const period = schedulePeriod(entry.schedule.longestStartGapMs);
  return new cloudwatch.Alarm(scope, 'DefaultPartitionRows', {
    alarmDescription:
      `${entry.name}: rows stay in the DEFAULT partition of its table, after the runs of two ` +
      `periods of ${period.toHumanString()} in a row. They block the partitions of their ranges; see ` +
      '"Rows in the DEFAULT partition" in docs/operations.md.',
    metric: runMetric(entry.name, 'defaultPartitionRows', period, 'Minimum'),
    threshold: 1,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
