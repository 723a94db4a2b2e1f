import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type DeployedJob,
  type DeployedTrigger,
  jobOutputKey,
} from '../functions/catalogue/stack-outputs.js';
import { TriggerKind } from '../functions/schedule/trigger-kind.js';
import type { JobTrigger, ScheduledJob } from './scheduled-job.js';

/**
 * One stack output per job, `Job<Name>`: a JSON `DeployedJob` naming its function, log
 * group, trigger (rule or schedule), whether it was deployed paused, and its alarms. The
 * operator CLI's `--aws` commands find everything they touch here.
 */
export function addJobOutputs(scope: Construct, jobs: readonly ScheduledJob[]): void {
  const stack = Stack.of(scope);
  for (const job of jobs) {
    const value: DeployedJob = {
      job: job.entry.name,
      functionName: job.jobFunction.function.functionName,
      logGroupName: job.jobFunction.logGroup.logGroupName,
      trigger: deployedTrigger(job.trigger),
      paused: job.paused,
      alarms: {
        errors: job.alarms.errors.alarmName,
        deadLetters: job.alarms.deadLetters.map((alarm) => alarm.alarmName),
        ...(job.alarms.noSuccessfulRun
          ? { noSuccessfulRun: job.alarms.noSuccessfulRun.alarmName }
          : {}),
        ...(job.alarms.retentionBreached
          ? { retentionBreached: job.alarms.retentionBreached.alarmName }
          : {}),
        ...(job.alarms.defaultPartitionRows
          ? { defaultPartitionRows: job.alarms.defaultPartitionRows.alarmName }
          : {}),
      },
    };
    new CfnOutput(scope, jobOutputKey(job.entry.name), {
      value: stack.toJsonString(value),
      description: jobOutputDescription(job.entry.name),
    });
  }
}

/** The trigger as the job output names it, for the operator CLI. */
function deployedTrigger(trigger: JobTrigger): DeployedTrigger {
  return trigger.kind === TriggerKind.Rule
    ? { kind: 'rule', name: trigger.rule.ruleName }
    : {
        kind: 'schedule',
        name: trigger.schedule.scheduleName,
        group: trigger.schedule.scheduleGroup?.scheduleGroupName ?? 'default',
      };
}

/** The description of every job output, so that people reading the outputs know what it is. */
function jobOutputDescription(job: string): string {
  return `${job}: its function, log group, trigger and alarms (JSON, read by npm run jobs -- ... --aws)`;
}
