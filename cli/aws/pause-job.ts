import { DisableAlarmActionsCommand, EnableAlarmActionsCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './aws-clients.js';
import { awsCall } from './aws-errors.js';
import { type DeployedStack, deployedJob } from './deployed-stack.js';
import { setTriggerEnabled } from './trigger-state.js';

/** What was done, and what the next deploy will do about it. */
export interface PauseReport {
  /** What changed, for stdout. */
  readonly done: string;
  /** That the next deploy restores the deployed choice: the fields of its warning. */
  readonly untilDeploy: {
    readonly job: string;
    readonly stackName: string;
    /** What the trigger is now. */
    readonly paused: boolean;
    /** What the stack was deployed with, and the next deploy puts back. */
    readonly deployedPaused: boolean;
    /** How to deploy so that the change stays. */
    readonly keep: string;
  };
}

/**
 * Pauses (or resumes) a deployed job at once: disables (enables) its trigger and turns its
 * "no successful run" alarm's notifications off (on), as a deploy of a paused job does. The
 * stack is not changed: the next deploy puts back what the catalogue and context say.
 */
export async function setJobPaused(
  clients: Pick<AwsClients, 'eventBridge' | 'scheduler' | 'cloudWatch'>,
  stack: DeployedStack,
  jobName: string,
  paused: boolean,
): Promise<PauseReport> {
  const job = deployedJob(stack, jobName);
  await setTriggerEnabled(clients, job.trigger, !paused);
  const alarm = job.alarms.noSuccessfulRun;
  if (alarm) {
    const command = paused
      ? new DisableAlarmActionsCommand({ AlarmNames: [alarm] })
      : new EnableAlarmActionsCommand({ AlarmNames: [alarm] });
    await awsCall(`${paused ? 'turning off' : 'turning on'} the alarm ${alarm}`, () =>
      clients.cloudWatch.send(command),
    );
  }
  const trigger = `${job.trigger.kind} ${job.trigger.name}`;
  const alarmNote = alarm
    ? paused
      ? '; its "no successful run" alarm notifies no one until it is resumed'
      : '; its "no successful run" alarm notifies again'
    : '';
  const done = `${job.job} ${paused ? 'paused' : 'resumed'} in ${stack.stackName}: ${trigger} ${paused ? 'disabled' : 'enabled'}${alarmNote}`;
  const keep = paused
    ? `to keep it paused, deploy with -c pausedJobs=${job.job} (or set enabled: false in its catalogue entry)`
    : `to keep it running, deploy without it in pausedJobs (and with enabled: true in its catalogue entry)`;
  return {
    done,
    untilDeploy: {
      job: job.job,
      stackName: stack.stackName,
      paused,
      deployedPaused: job.paused,
      keep,
    },
  };
}
