import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type CatalogueEntry, retentionSlackSeconds } from '../functions/catalogue/index.js';
import { defaultPartitionAlarm } from './default-partition-alarm.js';
import { freshnessWindow, schedulePeriod } from './freshness-window.js';
import { runMetric } from './run-metrics.js';

/** Props of {@link JobAlarms}. */
export interface JobAlarmsProps {
  readonly entry: CatalogueEntry;
  readonly function: lambda.IFunction;
  /** Dead-letter queues whose messages need a person. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /** Where alarms notify (on ALARM and back to OK). */
  readonly topic: sns.ITopic;
  /**
   * The job is deployed paused: its "no successful run" alarm is kept, with its actions off
   * (it would otherwise fire for a trigger disabled on purpose).
   * @default false
   */
  readonly paused?: boolean;
}

/**
 * A job's alarms: failed invocations, messages in its dead-letter queues, no successful run
 * for two schedule periods (a disabled or broken schedule must not stay silent), and, for a
 * job that keeps a retention promise, "retention breached" (the oldest row a run left lay
 * further before the run's cutoff than the slack: rows that stayed though runs succeed) and
 * "rows in the DEFAULT partition" (rows that belong to a period stay there).
 */
export class JobAlarms extends Construct {
  /** Failed invocations. */
  readonly errors: cloudwatch.Alarm;
  /** A message in a dead-letter queue, one per queue. */
  readonly deadLetters: cloudwatch.Alarm[] = [];
  /** No successful run for two schedule periods; none for a job that runs too rarely. */
  readonly noSuccessfulRun?: cloudwatch.Alarm;
  /** The oldest row left is past the retention plus the slack; only for a job with `retention`. */
  readonly retentionBreached?: cloudwatch.Alarm;
  /**
   * Rows that belong to a period stay in the DEFAULT partition of its table
   * (default-partition-alarm.ts); only for a job with `retention`, as the purge jobs have.
   */
  readonly defaultPartitionRows?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: JobAlarmsProps) {
    super(scope, id);
    const { entry } = props;
    this.errors = this.#add(
      new cloudwatch.Alarm(this, 'Errors', {
        alarmDescription: `${entry.name}: a run failed (Lambda Errors: failed runs, timeouts, crashes). See the "failed runs" query.`,
        metric: props.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.topic,
    );
    props.deadLetterQueues.forEach((queue, index) => {
      const alarm = this.#add(
        new cloudwatch.Alarm(this, `DeadLetters${index}`, {
          alarmDescription: `${entry.name}: events in a dead-letter queue; see "Re-driving a dead-letter queue" in docs/operations.md.`,
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        props.topic,
      );
      this.deadLetters.push(alarm);
    });
    this.retentionBreached = this.#retentionBreached(entry, props.topic);
    if (entry.retention) {
      this.defaultPartitionRows = this.#add(defaultPartitionAlarm(this, entry), props.topic);
    }
    const window = freshnessWindow(entry.schedule.longestStartGapMs);
    if (!window) {
      Validations.of(this).addWarning(
        'location-maintenance-jobs:noFreshnessAlarm',
        `${entry.name}: runs too rarely for a "no successful run for two periods" alarm (CloudWatch looks back 7 days at most)`,
      );
      return;
    }
    this.noSuccessfulRun = this.#add(
      new cloudwatch.Alarm(this, 'NoSuccessfulRun', {
        alarmDescription:
          `${entry.name}: no successful run in ${window.evaluationPeriods} × ${window.period.toHumanString()} ` +
          `(schedule ${entry.schedule.describe()}). Is the rule or schedule enabled? Are runs failing or skipped?`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(succeeded, 0) + FILL(cutShort, 0)',
          label: 'successful runs',
          period: window.period,
          usingMetrics: {
            succeeded: runMetric(entry.name, 'succeeded', window.period),
            cutShort: runMetric(entry.name, 'cutShort', window.period),
          },
        }),
        threshold: 1,
        evaluationPeriods: window.evaluationPeriods,
        datapointsToAlarm: window.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data at all means no run at all: that is what this alarm is for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        actionsEnabled: !props.paused,
      }),
      props.topic,
    );
  }

  /**
   * Reads the `OldestRowOverdue` the job publishes after each run (dry runs, and runs whose
   * batch failed, too): its largest value in a period of about one run. Missing data keeps the
   * alarm's state: the last measurement stands until the next (a run that could not measure
   * publishes none). Its notifications stay on for a paused job: rows it leaves still count.
   */
  #retentionBreached(entry: CatalogueEntry, topic: sns.ITopic): cloudwatch.Alarm | undefined {
    const slackSeconds = retentionSlackSeconds(entry);
    if (slackSeconds === undefined) return undefined;
    const period = schedulePeriod(entry.schedule.longestStartGapMs);
    return this.#add(
      new cloudwatch.Alarm(this, 'RetentionBreached', {
        alarmDescription:
          `${entry.name}: retention breached. The oldest row left after a run lay more than ` +
          `${Duration.seconds(slackSeconds).toHumanString()} before the run's cutoff: expired rows stay ` +
          '(locked, refused by the database, runs cut short or failing). See "Retention breached" in docs/operations.md.',
        metric: runMetric(entry.name, 'oldestRowOverdue', period, 'Maximum'),
        threshold: slackSeconds,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      }),
      topic,
    );
  }

  #add(alarm: cloudwatch.Alarm, topic: sns.ITopic): cloudwatch.Alarm {
    alarm.addAlarmAction(new SnsAction(topic));
    alarm.addOkAction(new SnsAction(topic));
    return alarm;
  }
}
