import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import { recentRunsQuery, renderLogQuery } from '../../../../functions/runner/run-log-queries.js';
import {
  awsError,
  cleanup,
  finished,
  finishedRow,
  now,
  run,
  useDeployedStack,
  zoned,
} from './aws-fixtures.js';

describe('status --aws', () => {
  const mocks = useDeployedStack();

  beforeEach(() => {
    mocks.eventBridge.on(DescribeRuleCommand, { Name: cleanup.trigger.name }).resolves({
      Name: cleanup.trigger.name,
      State: 'ENABLED',
      ScheduleExpression: 'cron(15 * * * ? *)',
    });
    mocks.scheduler
      .on(GetScheduleCommand, { Name: zoned.trigger.name, GroupName: 'default' })
      .resolves({
        Name: zoned.trigger.name,
        State: 'DISABLED',
        ScheduleExpression: 'cron(30 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
      });
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'cleanup-errors', StateValue: 'ALARM', ActionsEnabled: true },
        { AlarmName: 'cleanup-undelivered', StateValue: 'OK', ActionsEnabled: true },
        { AlarmName: 'cleanup-failed-runs', StateValue: 'OK', ActionsEnabled: true },
        { AlarmName: 'cleanup-no-successful-run', StateValue: 'OK', ActionsEnabled: true },
        { AlarmName: 'cleanup-retention-breached', StateValue: 'ALARM', ActionsEnabled: true },
        { AlarmName: 'purge-errors', StateValue: 'OK', ActionsEnabled: true },
        { AlarmName: 'purge-undelivered', StateValue: 'INSUFFICIENT_DATA', ActionsEnabled: false },
      ],
    });
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    mocks.logs
      .on(GetQueryResultsCommand, { queryId: 'q-1' })
      .resolvesOnce({ status: 'Running', results: [] })
      .resolves({
        status: 'Complete',
        results: [
          finishedRow(
            finished('location-cleanup', '2026-11-28T11:15:00.000Z', {
              outcome: 'failed',
              result: undefined,
              error: { name: 'Error', message: 'boom' },
            }),
          ),
          finishedRow(
            finished('location-cleanup', '2026-11-28T10:15:00.000Z', {
              outcome: 'cut_short',
              result: {
                deleted: 200,
                batches: 2,
                complete: false,
                dryRun: false,
                retentionDays: 30,
                oldestRow: {
                  measuredBy: 'index',
                  oldest: '2026-10-19T10:00:00.000000Z',
                  ageSeconds: 3_459_600,
                  overdueSeconds: 867_600,
                },
              },
            }),
          ),
        ],
      });
  });

  it('reads the stack’s outputs, each trigger’s state, the alarms, and the last runs from the logs', async () => {
    // Act
    const { code, stdout, delays } = await run({ name: 'status', json: true });

    // Assess
    expect(code).toBe(0);
    const [first, second] = stdout.split('\n').map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      job: 'location-cleanup',
      trigger: {
        kind: 'rule',
        name: cleanup.trigger.name,
        enabled: true,
        expression: 'cron(15 * * * ? *)',
      },
      pausedByDeploy: false,
      nextRun: '2026-11-28T12:15:00.000Z',
      lastRun: { outcome: 'failed', startedAt: '2026-11-28T11:15:00.000Z' },
      lastSuccess: { startedAt: '2026-11-28T10:15:00.000Z' },
    });
    expect(first.alarms).toContainEqual({
      role: 'errors',
      name: 'cleanup-errors',
      state: 'ALARM',
      actionsEnabled: true,
    });
    // the oldest row left, from the last run that measured it (the failed one did not)
    expect(first.alarms).toContainEqual({
      role: 'retention breached',
      name: 'cleanup-retention-breached',
      state: 'ALARM',
      actionsEnabled: true,
    });
    expect(first.oldestRow).toEqual({
      startedAt: '2026-11-28T10:15:00.000Z',
      runId: 'location-cleanup@2026-11-28T10:15:00.000Z',
      retentionDays: 30,
      oldestRow: {
        measuredBy: 'index',
        oldest: '2026-10-19T10:00:00.000000Z',
        ageSeconds: 3_459_600,
        overdueSeconds: 867_600,
      },
    });
    expect(second).toMatchObject({
      job: 'idempotency-key-purge',
      trigger: { kind: 'schedule', enabled: false, timeZone: 'Europe/Paris' },
      pausedByDeploy: true,
    });
    expect(second.nextRun).toBeUndefined();
    expect(second.lastRun).toBeUndefined();
    // the shipped query, over both log groups, the last 7 days; one wait while it ran
    expect(mocks.logs.commandCalls(StartQueryCommand)[0]?.args[0].input).toEqual({
      logGroupNames: [cleanup.logGroupName, zoned.logGroupName],
      startTime: (now - 7 * 86_400_000) / 1_000,
      endTime: now / 1_000,
      queryString: renderLogQuery(recentRunsQuery(1_000)),
    });
    expect(delays).toEqual([1_000]);
  });

  it('computes a zoned schedule’s next run in its zone', async () => {
    // Prepare: the schedule at 03:30 Paris time, enabled (CET in November: 02:30 UTC)
    mocks.scheduler
      .on(GetScheduleCommand, { Name: zoned.trigger.name, GroupName: 'default' })
      .resolves({
        Name: zoned.trigger.name,
        State: 'ENABLED',
        ScheduleExpression: 'cron(30 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
      });

    // Act
    const { stdout } = await run({ name: 'status', json: true });

    // Assess
    const [, zonedStatus] = stdout.split('\n').map((line) => JSON.parse(line));
    expect(zonedStatus).toMatchObject({
      job: 'idempotency-key-purge',
      nextRun: '2026-11-29T02:30:00.000Z',
    });
  });

  it('as one table for people', async () => {
    // Act
    const { stdout } = await run({ name: 'status', json: false });

    // Assess
    const cells = (job: string) =>
      stdout
        .split('\n')
        .find((row) => row.startsWith(`${job} `))
        ?.split(/ {2,}/);
    expect(cells('location-cleanup')).toEqual([
      'location-cleanup',
      'rule',
      'cron(15 * * * ? *)',
      'active',
      '2026-11-28 12:15Z (in 15 min)',
      '2026-11-28 11:15Z (45 min ago) failed',
      '2026-11-28 10:15Z (1 h ago)',
      '40 d 1 h (retention 30 d): 10 d 1 h past the cutoff (as of 2026-11-28 10:15Z)',
      'errors ALARM; retention breached ALARM',
    ]);
    expect(cells('idempotency-key-purge')).toEqual([
      'idempotency-key-purge',
      'schedule',
      'cron(30 3 * * ? *) Europe/Paris',
      'paused',
      '-',
      'none in 7 d',
      'none in 7 d',
      '-',
      'dead letters INSUFFICIENT_DATA; dead letters off',
    ]);
  });

  it('access denied to the alarms: one line naming what was read, exit 1', async () => {
    // Prepare
    mocks.cloudWatch
      .on(DescribeAlarmsCommand)
      .rejects(awsError('AccessDenied', 'not authorized to perform: cloudwatch:DescribeAlarms'));

    // Act, Assess
    await expect(run({ name: 'status', json: false })).rejects.toMatchObject({
      exitCode: 1,
      message:
        'access denied reading the alarms: not authorized to perform: cloudwatch:DescribeAlarms',
    });
  });
});
