/**
 * The state of a deployed job's trigger, read and flipped: an EventBridge rule
 * (DescribeRule, EnableRule / DisableRule) or an EventBridge Scheduler schedule (GetSchedule;
 * UpdateSchedule, which replaces the whole definition, so it is resent with only the state
 * changed).
 */
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { DeployedTrigger } from '../../functions/catalogue/stack-outputs.js';
import type { AwsClients } from './aws-clients.js';
import { AwsCommandError, awsCall } from './aws-errors.js';

/** What a trigger is set to now. */
export interface TriggerState {
  /** Whether it fires. */
  readonly enabled: boolean;
  /** Its schedule expression, `cron(...)`, `rate(...)` or `at(...)`. */
  readonly expression: string;
  /**
   * The schedule's time zone (Scheduler schedules only).
   * @default - UTC
   */
  readonly timeZone?: string;
}

/** Reads the trigger's state. */
export async function readTriggerState(
  clients: Pick<AwsClients, 'eventBridge' | 'scheduler'>,
  trigger: DeployedTrigger,
): Promise<TriggerState> {
  if (trigger.kind === 'rule') {
    const rule = await awsCall(`reading the rule ${trigger.name}`, () =>
      clients.eventBridge.send(new DescribeRuleCommand({ Name: trigger.name })),
    );
    return { enabled: rule.State === 'ENABLED', expression: rule.ScheduleExpression ?? '' };
  }
  const schedule = await getSchedule(clients, trigger);
  return {
    enabled: schedule.State === 'ENABLED',
    expression: schedule.ScheduleExpression ?? '',
    ...(schedule.ScheduleExpressionTimezone
      ? { timeZone: schedule.ScheduleExpressionTimezone }
      : {}),
  };
}

/** Enables or disables the trigger, at once. */
export async function setTriggerEnabled(
  clients: Pick<AwsClients, 'eventBridge' | 'scheduler'>,
  trigger: DeployedTrigger,
  enabled: boolean,
): Promise<void> {
  const doing = `${enabled ? 'enabling' : 'disabling'} the ${trigger.kind} ${trigger.name}`;
  if (trigger.kind === 'rule') {
    const command = enabled
      ? new EnableRuleCommand({ Name: trigger.name })
      : new DisableRuleCommand({ Name: trigger.name });
    await awsCall(doing, () => clients.eventBridge.send(command));
    return;
  }
  const current = await getSchedule(clients, trigger);
  const { ScheduleExpression, Target, FlexibleTimeWindow } = current;
  if (!ScheduleExpression || !Target || !FlexibleTimeWindow) {
    throw new AwsCommandError(`${doing}: GetSchedule returned an incomplete definition`, 1);
  }
  await awsCall(doing, () =>
    clients.scheduler.send(
      new UpdateScheduleCommand({
        Name: trigger.name,
        GroupName: trigger.group,
        ScheduleExpression,
        Target,
        FlexibleTimeWindow,
        ...defined({
          ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
          StartDate: current.StartDate,
          EndDate: current.EndDate,
          Description: current.Description,
          KmsKeyArn: current.KmsKeyArn,
          ActionAfterCompletion: current.ActionAfterCompletion,
        }),
        State: enabled ? 'ENABLED' : 'DISABLED',
      }),
    ),
  );
}

function getSchedule(
  clients: Pick<AwsClients, 'scheduler'>,
  trigger: Extract<DeployedTrigger, { kind: 'schedule' }>,
) {
  return awsCall(`reading the schedule ${trigger.group}/${trigger.name}`, () =>
    clients.scheduler.send(
      new GetScheduleCommand({ Name: trigger.name, GroupName: trigger.group }),
    ),
  );
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
