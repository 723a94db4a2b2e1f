import { type Duration, Duration as Durations, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { schedulerInput } from '../functions/lambda/scheduler-input.js';

/** Props of {@link ZonedSchedule}. */
export interface ZonedScheduleProps {
  /** The catalogue entry: its expression, time zone and flexible window. */
  readonly entry: CatalogueEntry;
  /** The job's function. */
  readonly function: lambda.IFunction;
  /** Where invocations Scheduler could not deliver go, after its retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How long Scheduler keeps trying to deliver one invocation (60 s to 24 h). */
  readonly maxEventAge: Duration;
  /** How many times Scheduler retries delivering one invocation (0 to 185). */
  readonly retryAttempts: number;
  /**
   * Whether the schedule fires: `false` deploys it paused.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * An EventBridge Scheduler schedule that fires a job in its time zone (with its flexible
 * window, if any): the job's expression read in the zone, daylight saving time as Scheduler
 * documents it, and the target input the handler validates, built from Scheduler's context
 * attributes. Its role may invoke this one function and send to the dead-letter queue, and
 * only Scheduler, for this account's default schedule group, may assume it.
 */
export class ZonedSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  /** The role Scheduler invokes the function with. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ZonedScheduleProps) {
    super(scope, id);
    const { entry } = props;
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'InvokeRole', {
      description: `Lets EventBridge Scheduler invoke the ${entry.name} job`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Confused-deputy guard, as AWS recommends: only schedules in this account's default
        // group. (The schedule's own ARN would make the role and the schedule depend on each
        // other.)
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    const windowMinutes = entry.schedule.flexibleWindowMinutes;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      enabled: props.enabled ?? true,
      description: `${entry.name}: ${entry.schedule.describe()}`,
      schedule: scheduler.ScheduleExpression.expression(
        entry.schedule.expression,
        TimeZone.of(entry.schedule.timeZone),
      ),
      timeWindow: windowMinutes
        ? scheduler.TimeWindow.flexible(Durations.minutes(windowMinutes))
        : scheduler.TimeWindow.off(),
      target: new UnqualifiedLambdaInvoke(props.function, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject(
          schedulerInput({
            scheduleArn: scheduler.ContextAttribute.scheduleArn,
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
            executionId: scheduler.ContextAttribute.executionId,
            attemptNumber: scheduler.ContextAttribute.attemptNumber,
          }),
        ),
        retryAttempts: props.retryAttempts,
        maxEventAge: props.maxEventAge,
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
  }
}

/**
 * `LambdaInvoke`, granting `lambda:InvokeFunction` on the function's unqualified ARN only,
 * the ARN the schedule invokes. (`LambdaInvoke` grants it on the function's versions and
 * aliases too, `<arn>:*`, which the schedule never uses.)
 */
class UnqualifiedLambdaInvoke extends targets.LambdaInvoke {
  readonly #function: lambda.IFunction;

  constructor(fn: lambda.IFunction, props: targets.ScheduleTargetBaseProps) {
    super(fn, props);
    this.#function = fn;
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.#function.functionArn],
      }),
    );
  }
}
