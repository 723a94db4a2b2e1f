import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import type { DeployedTrigger } from '../functions/catalogue/stack-outputs.js';
import { JobAlarms } from './job-alarms.js';
import { type FunctionNetwork, JobFunction } from './job-function.js';

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps {
  /** The catalogue entry. */
  readonly entry: CatalogueEntry;
  /** The job's Lambda entry file. */
  readonly handlerFile: string;
  readonly databaseSecret: secretsmanager.ISecret;
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
   * Deploy the job paused: its trigger disabled and its "no successful run" alarm off
   * (catalogue `enabled: false`, or context `pausedJobs`).
   * @default false
   */
  readonly paused?: boolean;
}

/** Lambda keeps an asynchronous event for 6 hours at most; EventBridge for 24 hours. */
const lambdaMaxEventAge = Duration.hours(6);
const eventBridgeMaxEventAge = Duration.hours(24);

/**
 * Everything one catalogued job needs in AWS: its function, the EventBridge rule that fires
 * it, two dead-letter queues (events EventBridge could not deliver; runs that failed after
 * Lambda's retries), and its alarms.
 */
export class ScheduledJob extends Construct {
  readonly entry: CatalogueEntry;
  readonly jobFunction: JobFunction;
  readonly rule: events.Rule;
  /** What fires the job, as the stack's job output names it. */
  readonly trigger: DeployedTrigger;
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
      databaseSecret: props.databaseSecret,
      failedRuns: this.failedRuns,
      maxEventAge: clamp(stalePeriod, Duration.minutes(1), lambdaMaxEventAge),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.network ? { network: props.network } : {}),
    });

    this.rule = new events.Rule(this, 'Schedule', {
      description: `${entry.name}: ${entry.schedule.expression} (UTC)`,
      schedule: events.Schedule.expression(entry.schedule.expression),
      enabled: !props.paused,
      targets: [
        new targets.LambdaFunction(this.jobFunction.function, {
          // Delivery to Lambda's queue rarely fails; when it does, retry within the period.
          retryAttempts: 3,
          maxEventAge: clamp(stalePeriod, Duration.minutes(1), eventBridgeMaxEventAge),
          deadLetterQueue: this.undeliveredEvents,
        }),
      ],
    });

    this.paused = props.paused ?? false;
    this.trigger = { kind: 'rule', name: this.rule.ruleName };

    this.alarms = new JobAlarms(this, 'Alarms', {
      entry,
      function: this.jobFunction.function,
      deadLetterQueues: [this.undeliveredEvents, this.failedRuns],
      topic: props.alarmTopic,
      paused: this.paused,
    });
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
      'This queue is itself a dead-letter queue (of an EventBridge target or of Lambda asynchronous invocations); it has none of its own.',
  });
  return queue;
}

function clamp(value: Duration, min: Duration, max: Duration): Duration {
  const ms = Math.min(Math.max(value.toMilliseconds(), min.toMilliseconds()), max.toMilliseconds());
  return Duration.seconds(Math.ceil(ms / 1_000));
}
