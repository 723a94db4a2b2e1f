import { DisableAlarmActionsCommand, EnableAlarmActionsCommand } from '@aws-sdk/client-cloudwatch';
import { DisableRuleCommand, EnableRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { awsError, cleanup, run, useDeployedStack, zoned } from './aws-fixtures.js';

describe('pause and resume --aws', () => {
  const mocks = useDeployedStack();

  it('pause: disables the rule at once, turns the "no successful run" alarm off, warns about the next deploy', async () => {
    // Prepare
    mocks.eventBridge.on(DisableRuleCommand).resolves({});
    mocks.cloudWatch.on(DisableAlarmActionsCommand).resolves({});

    // Act
    const { code, stdout, stderr } = await run({ name: 'pause', job: 'location-cleanup' });

    // Assess
    expect(code).toBe(0);
    expect(mocks.eventBridge.commandCalls(DisableRuleCommand)[0]?.args[0].input).toEqual({
      Name: cleanup.trigger.name,
    });
    expect(mocks.eventBridge.commandCalls(EnableRuleCommand)).toHaveLength(0);
    expect(mocks.cloudWatch.commandCalls(DisableAlarmActionsCommand)[0]?.args[0].input).toEqual({
      AlarmNames: ['cleanup-no-successful-run'],
    });
    expect(stdout).toBe(
      `location-cleanup paused in LocationMaintenanceJobs: rule ${cleanup.trigger.name} disabled; its "no successful run" alarm notifies no one until it is resumed`,
    );
    // a warning for people on stderr, through the logger (HarnessLog.TriggerChangedByHand)
    expect(stderr).toBe(
      '12:00:00  location-cleanup  warning    the next deploy restores what the catalogue and context say (this stack was deployed with location-cleanup enabled); to keep it paused, deploy with -c pausedJobs=location-cleanup (or set enabled: false in its catalogue entry)',
    );
  });

  it('resume of a Scheduler schedule: resends the whole definition with only its state changed', async () => {
    // Prepare
    const definition = {
      Name: zoned.trigger.name,
      GroupName: 'default',
      Arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/x',
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'idempotency-key-purge',
      State: 'DISABLED' as const,
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
        RoleArn: 'arn:aws:iam::123456789012:role/r',
        Input: '{"source":"scheduler"}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
      },
      CreationDate: new Date('2026-11-01T00:00:00Z'),
    };
    mocks.scheduler.on(GetScheduleCommand).resolves(definition);
    mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: definition.Arn });

    // Act
    const { code, stdout, stderr } = await run({ name: 'resume', job: 'idempotency-key-purge' });

    // Assess
    expect(code).toBe(0);
    expect(mocks.scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: definition.Name,
      GroupName: 'default',
      ScheduleExpression: definition.ScheduleExpression,
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: definition.Description,
      FlexibleTimeWindow: definition.FlexibleTimeWindow,
      Target: definition.Target,
      State: 'ENABLED',
    });
    // it has no freshness alarm to turn on
    expect(mocks.cloudWatch.commandCalls(EnableAlarmActionsCommand)).toHaveLength(0);
    expect(stdout).toBe(
      `idempotency-key-purge resumed in LocationMaintenanceJobs: schedule ${zoned.trigger.name} enabled`,
    );
    expect(stderr).toContain('deployed with idempotency-key-purge paused');
  });

  it('access denied to the rule: one line naming it, exit 1, the alarm left as it was', async () => {
    // Prepare
    mocks.eventBridge
      .on(DisableRuleCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: events:DisableRule'));

    // Act, Assess
    await expect(run({ name: 'pause', job: 'location-cleanup' })).rejects.toMatchObject({
      exitCode: 1,
      message: `access denied disabling the rule ${cleanup.trigger.name}: not authorized to perform: events:DisableRule`,
    });
    expect(mocks.cloudWatch.commandCalls(DisableAlarmActionsCommand)).toHaveLength(0);
  });
});
