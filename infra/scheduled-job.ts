import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { TriggerKind } from '../functions/schedule/schedule.js';
import type { DatabaseAccess } from './database-access.js';
import { JobAlarms } from './job-alarms.js';
import { type FunctionNetwork, JobFunction } from './job-function.js';
import { ZonedSchedule } from './zoned-schedule.js';

/** What fires a job: its EventBridge rule, or its EventBridge Scheduler schedule. */
export type JobTrigger =
  | { readonly kind: typeof TriggerKind.Rule; readonly rule: events.Rule }
  | {
      readonly kind: typeof TriggerKind.SchedulerSchedule;
      readonly schedule: scheduler.Schedule;
    };

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps {
  /** The catalogue entry. */
  readonly entry: CatalogueEntry;
  /** The job's Lambda entry file. */
  readonly handlerFile: string;
  /** How the job's function reaches the database. */
  readonly database: DatabaseAccess;
  readonly alarmTopic: sns.ITopic;
  readonly logRetention: logs.RetentionDays;
  readonly logLevel: string;
  /**
   * The job's own settings, as environment variables.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * VPC placement.
   * @default - no VPC
   */
  readonly network?: FunctionNetwork;
  /**
   * Deploy the job paused: its rule or schedule disabled and its "no successful run" alarm
   * off (catalogue `enabled: false`, or context `pausedJobs`).
   * @default false
   */
  readonly paused?: boolean;
}

/** Lambda keeps an asynchronous event for 6 hours at most; EventBridge for 24 hours. */
const lambdaMaxEventAge = Duration.hours(6);
const eventBridgeMaxEventAge = Duration.hours(24);

/**
 * Everything one catalogued job needs in AWS: its function, the EventBridge rule that fires
 * it (or, for a job with a time zone or a flexible window, an EventBridge Scheduler
 * schedule), two dead-letter queues (events that could not be delivered; runs that failed
 * after Lambda's retries), and its alarms.
 */
export class ScheduledJob extends Construct {
  readonly entry: CatalogueEntry;
  readonly jobFunction: JobFunction;
  /** What fires the job: `trigger.kind` says which, for finding (and pausing) it. */
  readonly trigger: JobTrigger;
  /** Whether it was deployed paused. */
  readonly paused: boolean;
  readonly undeliveredEvents: sqs.Queue;
  readonly failedRuns: sqs.Queue;
  readonly alarms: JobAlarms;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { entry } = props;
    this.entry = entry;
    // An event older than one schedule period is stale: the next fire supersedes it.
    const stalePeriod = Duration.millis(entry.schedule.longestGapMs);
    this.undeliveredEvents = deadLetterQueue(this, 'UndeliveredEvents');
    this.failedRuns = deadLetterQueue(this, 'FailedRuns');

    this.jobFunction = new JobFunction(this, 'Job', {
      entry,
      handlerFile: props.handlerFile,
      database: props.database,
      failedRuns: this.failedRuns,
      maxEventAge: clamp(stalePeriod, Duration.minutes(1), lambdaMaxEventAge),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.network ? { network: props.network } : {}),
    });

    // Delivery to Lambda's queue rarely fails; when it does, retry within the period.
    const delivery = {
      retryAttempts: 3,
      maxEventAge: clamp(stalePeriod, Duration.minutes(1), eventBridgeMaxEventAge),
      deadLetterQueue: this.undeliveredEvents,
    };
    this.paused = props.paused ?? false;
    this.trigger =
      entry.schedule.triggerKind === TriggerKind.SchedulerSchedule
        ? {
            kind: TriggerKind.SchedulerSchedule,
            schedule: new ZonedSchedule(this, 'ZonedSchedule', {
              entry,
              function: this.jobFunction.function,
              enabled: !this.paused,
              ...delivery,
            }).schedule,
          }
        : {
            kind: TriggerKind.Rule,
            rule: new events.Rule(this, 'Schedule', {
              description: `${entry.name}: ${entry.schedule.expression} (UTC)`,
              schedule: events.Schedule.expression(entry.schedule.expression),
              enabled: !this.paused,
              targets: [new targets.LambdaFunction(this.jobFunction.function, delivery)],
            }),
          };

    this.alarms = new JobAlarms(this, 'Alarms', {
      entry,
      function: this.jobFunction.function,
      deadLetterQueues: [this.undeliveredEvents, this.failedRuns],
      topic: props.alarmTopic,
      paused: this.paused,
    });
  }

  /** The EventBridge rule, for a UTC job; `undefined` for a job on Scheduler. */
  get rule(): events.Rule | undefined {
    return this.trigger.kind === TriggerKind.Rule ? this.trigger.rule : undefined;
  }
}

function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (of an EventBridge rule target or Scheduler schedule, or of Lambda asynchronous invocations); it has none of its own.',
  });
  return queue;
}

function clamp(value: Duration, min: Duration, max: Duration): Duration {
  const ms = Math.min(Math.max(value.toMilliseconds(), min.toMilliseconds()), max.toMilliseconds());
  return Duration.seconds(Math.ceil(ms / 1_000));
}
