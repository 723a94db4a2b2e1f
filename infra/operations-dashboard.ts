import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { JobLog } from '../functions/log-messages.js';
import {
  type LogQueryParts,
  recentRunsQuery,
  recentRunsQueryName,
} from '../functions/runner/run-log-queries.js';
import { TriggerKind } from '../functions/schedule/schedule.js';
import { runMetric } from './run-metrics.js';
import type { ScheduledJob } from './scheduled-job.js';

/** Where the stack saves its queries: `location-maintenance-jobs`, or `...-<stage>`. */
function queryFolder(stage?: string): string {
  return stage ? `location-maintenance-jobs-${stage}` : 'location-maintenance-jobs';
}

/** The shipped Logs Insights queries, over every job's log group (the runner's log fields). */
export const insightsQueries = {
  'failed runs': new logs.QueryString({
    fields: [
      '@timestamp',
      'job',
      'runId',
      'scheduledTime',
      'error.name',
      'error.message',
      'error.cause.message',
    ],
    filterStatements: [`message = "${JobLog.JobFinished}"`, 'outcome = "failed"'],
    sort: '@timestamp desc',
    limit: 100,
  }),
  'slowest runs': new logs.QueryString({
    fields: [
      '@timestamp',
      'job',
      'runId',
      'durationMs',
      'outcome',
      'result.deleted',
      'result.batches',
    ],
    filterStatements: [`message = "${JobLog.JobFinished}"`],
    sort: 'durationMs desc',
    limit: 50,
  }),
  [recentRunsQueryName]: queryString(recentRunsQuery()),
  'rows deleted per day': new logs.QueryString({
    filterStatements: [`message = "${JobLog.JobFinished}"`, 'ispresent(result.deleted)'],
    statsStatements: ['sum(result.deleted) as deleted, count(*) as runs by job, bin(1d) as day'],
    sort: 'day desc',
  }),
} as const;

/** A query shared with the CLI, as CDK takes it. */
function queryString(parts: LogQueryParts): logs.QueryString {
  const { fields, filterStatements, statsStatements, sort, limit } = parts;
  return new logs.QueryString({
    ...(fields ? { fields: [...fields] } : {}),
    ...(filterStatements ? { filterStatements: [...filterStatements] } : {}),
    ...(statsStatements ? { statsStatements: [...statsStatements] } : {}),
    ...(sort ? { sort } : {}),
    ...(limit !== undefined ? { limit } : {}),
  });
}
const triggerNames = {
  [TriggerKind.Rule]: 'EventBridge rule',
  [TriggerKind.SchedulerSchedule]: 'EventBridge Scheduler',
} as const;

/** Props of {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  readonly jobs: readonly ScheduledJob[];
  /**
   * The stage: the saved queries go under `location-maintenance-jobs-<stage>/`, apart from
   * the other stages' (query definitions are named per account and region).
   * @default - no stage: `location-maintenance-jobs/`
   */
  readonly stage?: string;
}

/** A CloudWatch dashboard (a row per job) and the Logs Insights query definitions. */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = Duration.hours(1);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
    });
    for (const job of props.jobs) {
      const jobName = job.entry.name;
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `## ${jobName}\n${job.entry.description} Schedule: \`${job.entry.schedule.describe()}\` (${triggerNames[job.trigger.kind]}).`,
          width: 24,
          height: 2,
        }),
      );
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${jobName}: runs`,
          stacked: true,
          left: (['succeeded', 'cutShort', 'skipped', 'failures'] as const).map((metric) =>
            runMetric(jobName, metric, period),
          ),
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${jobName}: duration (ms)`,
          left: [
            runMetric(jobName, 'duration', period, 'Average'),
            runMetric(jobName, 'duration', period, 'Maximum'),
          ],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${jobName}: rows deleted`,
          left: [runMetric(jobName, 'rowsDeleted', period)],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${jobName}: Lambda errors, throttles, dead letters`,
          left: [
            job.jobFunction.function.metricErrors({ period }),
            job.jobFunction.function.metricThrottles({ period }),
          ],
          right: [job.undeliveredEvents, job.failedRuns].map((queue) =>
            queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
          ),
          width: 6,
        }),
      );
      const breached = job.alarms.retentionBreached;
      if (breached) {
        this.dashboard.addWidgets(
          new cloudwatch.AlarmWidget({
            title: `${jobName}: retention breached (seconds the oldest row left lay before the cutoff)`,
            alarm: breached,
            leftYAxis: { min: 0 },
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: `${jobName}: age of the oldest row left (days)`,
            left: [
              new cloudwatch.MathExpression({
                expression: 'age / 86400',
                label: 'oldest row left (days)',
                period,
                usingMetrics: { age: runMetric(jobName, 'oldestRowAge', period, 'Maximum') },
              }),
            ],
            width: 12,
          }),
        );
      }
    }
    const logGroups = props.jobs.map((job) => job.jobFunction.logGroup);
    for (const [title, queryString] of Object.entries(insightsQueries)) {
      new logs.QueryDefinition(this, `Query${title.replace(/\W+/g, '')}`, {
        queryDefinitionName: `${queryFolder(props.stage)}/${title}`,
        queryString,
        logGroups,
      });
    }
  }
}
