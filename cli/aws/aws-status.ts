import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { DeployedJob } from '../../functions/catalogue/stack-outputs.js';
import { Schedule } from '../../functions/schedule/schedule.js';
import {
  lastMeasurement,
  type OldestRowMeasurement,
} from '../../harness/history/last-measurement.js';
import { type LastRuns, lastRuns } from '../../harness/history/last-runs.js';
import { formatMoment } from '../../harness/output/format-values.js';
import { lastRunCells } from '../../harness/output/last-run-cells.js';
import { oldestRowCell } from '../../harness/output/oldest-row-cell.js';
import { formatTable } from '../../harness/output/table.js';
import type { AwsClients } from './aws-clients.js';
import { awsCall } from './aws-errors.js';
import type { DeployedStack } from './deployed-stack.js';
import { type PollingOptions, queryRecentRuns } from './recent-runs.js';
import { readTriggerState, type TriggerState } from './trigger-state.js';

/** One of a job's alarms, as CloudWatch has it now. */
export interface AlarmStatus {
  readonly role:
    | 'errors'
    | 'dead letters'
    | 'no successful run'
    | 'retention breached'
    | 'DEFAULT partition';
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`; `missing` when CloudWatch does not know the alarm. */
  readonly state: string;
  /** Whether it notifies (the "no successful run" alarm of a paused job does not). */
  readonly actionsEnabled: boolean;
}

/** One deployed job's state. */
export interface AwsJobStatus extends LastRuns {
  readonly job: string;
  readonly trigger: DeployedJob['trigger'] & TriggerState;
  /** Whether the last deploy left the trigger disabled (catalogue or `pausedJobs`). */
  readonly pausedByDeploy: boolean;
  /**
   * The next fire, from the deployed expression.
   * @default - unknown: paused, or a `rate()` (counted from when it was created)
   */
  readonly nextRun?: string;
  readonly alarms: readonly AlarmStatus[];
  /**
   * The oldest row left, as the latest run in the past 7 days that measured it found it (its
   * `job finished` line).
   * @default - none: no such run (or the job measures none)
   */
  readonly oldestRow?: OldestRowMeasurement;
}

/** How far back `status --aws` looks for the last runs. */
const statusWindowMs = 7 * 86_400_000;

/**
 * Each deployed job's trigger (enabled or not, its expression), the state of its alarms,
 * its next fire, and its last run, last successful run and oldest row left as last measured,
 * in the past 7 days (the stack's "recent runs" query over every job's log group).
 */
export async function awsStatus(
  clients: AwsClients,
  stack: DeployedStack,
  now: number,
  polling: PollingOptions,
): Promise<AwsJobStatus[]> {
  const [triggers, alarms, runs] = await Promise.all([
    Promise.all(stack.jobs.map((job) => readTriggerState(clients, job.trigger))),
    alarmStates(clients, stack.jobs),
    queryRecentRuns(
      clients.logs,
      {
        logGroupNames: stack.jobs.map((job) => job.logGroupName),
        limit: 1_000,
        now,
        windowMs: statusWindowMs,
      },
      polling,
    ),
  ]);
  return stack.jobs.map((job, index) => {
    const trigger = { ...job.trigger, ...(triggers[index] as TriggerState) };
    const next = trigger.enabled ? nextFire(trigger, now) : undefined;
    const jobRuns = runs.filter((run) => run.job === job.job);
    const oldestRow = lastMeasurement(jobRuns);
    return {
      job: job.job,
      trigger,
      pausedByDeploy: job.paused,
      ...(next !== undefined ? { nextRun: new Date(next).toISOString() } : {}),
      alarms: alarmsOf(job).map(({ role, name }) => ({
        role,
        name,
        ...(alarms.get(name) ?? { state: 'missing', actionsEnabled: false }),
      })),
      ...lastRuns(jobRuns),
      ...(oldestRow ? { oldestRow } : {}),
    };
  });
}

/** The statuses as one table, ages counted from `now`. */
export function formatAwsStatus(statuses: readonly AwsJobStatus[], now: number): string {
  return formatTable(
    [
      'job',
      'trigger',
      'schedule',
      'state',
      'next run (UTC)',
      'last run',
      'last successful run',
      'oldest row left',
      'alarms',
    ],
    statuses.map((status) => [
      status.job,
      status.trigger.kind,
      status.trigger.timeZone
        ? `${status.trigger.expression} ${status.trigger.timeZone}`
        : status.trigger.expression,
      status.trigger.enabled ? 'active' : status.pausedByDeploy ? 'paused' : 'paused (by hand)',
      status.nextRun ? formatMoment(status.nextRun, now) : '-',
      ...lastRunCells(status, now, 'none in 7 d'),
      // BREACHED or not is the "retention breached" alarm's to say, in the next column.
      oldestRowCell(
        status.oldestRow,
        status.lastRun ? { lastRunStartedAt: status.lastRun.startedAt } : {},
        '-',
      ),
      alarmSummary(status.alarms),
    ]),
  );
}

/** `OK`, or what is not OK: `ALARM: errors; no successful run off`. */
function alarmSummary(alarms: readonly AlarmStatus[]): string {
  const off = alarms.filter((alarm) => !alarm.actionsEnabled).map((alarm) => `${alarm.role} off`);
  const notOk = alarms.filter((alarm) => alarm.state !== 'OK');
  const states = notOk.length === 0 ? ['OK'] : notOk.map((alarm) => `${alarm.role} ${alarm.state}`);
  return [...states, ...off].join('; ');
}

function alarmsOf(job: DeployedJob): Pick<AlarmStatus, 'role' | 'name'>[] {
  return [
    { role: 'errors', name: job.alarms.errors },
    ...job.alarms.deadLetters.map((name) => ({ role: 'dead letters' as const, name })),
    ...(job.alarms.noSuccessfulRun
      ? [{ role: 'no successful run' as const, name: job.alarms.noSuccessfulRun }]
      : []),
    ...(job.alarms.retentionBreached
      ? [{ role: 'retention breached' as const, name: job.alarms.retentionBreached }]
      : []),
    ...(job.alarms.defaultPartitionRows
      ? [{ role: 'DEFAULT partition' as const, name: job.alarms.defaultPartitionRows }]
      : []),
  ];
}

async function alarmStates(
  clients: Pick<AwsClients, 'cloudWatch'>,
  jobs: readonly DeployedJob[],
): Promise<Map<string, Pick<AlarmStatus, 'state' | 'actionsEnabled'>>> {
  const names = jobs.flatMap((job) => alarmsOf(job).map((alarm) => alarm.name));
  const states = new Map<string, Pick<AlarmStatus, 'state' | 'actionsEnabled'>>();
  // DescribeAlarms takes at most 100 names a call.
  for (let from = 0; from < names.length; from += 100) {
    const { MetricAlarms = [] } = await awsCall('reading the alarms', () =>
      clients.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: names.slice(from, from + 100), MaxRecords: 100 }),
      ),
    );
    for (const alarm of MetricAlarms) {
      if (alarm.AlarmName) {
        states.set(alarm.AlarmName, {
          state: alarm.StateValue ?? 'unknown',
          actionsEnabled: alarm.ActionsEnabled ?? false,
        });
      }
    }
  }
  return states;
}

function nextFire(trigger: TriggerState, now: number): number | undefined {
  if (!trigger.expression.startsWith('cron(')) return undefined;
  try {
    const zone = trigger.timeZone ? { timeZone: trigger.timeZone } : {};
    return Schedule.expression(trigger.expression, zone).next(now, now);
  } catch {
    return undefined;
  }
}
