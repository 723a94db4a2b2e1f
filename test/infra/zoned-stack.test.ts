import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCatalogue } from '../../functions/catalogue/index.js';
import { Schedule, TriggerKind } from '../../functions/schedule/schedule.js';
import type { MaintenanceJobsStack } from '../../infra/maintenance-jobs-stack.js';
import {
  expectQueuesEncryptedWithTls,
  fixtureJobsDir,
  nagFindings,
  removeSynthesized,
  resourcesOf,
  synthesize,
  warningsOf,
} from './synth.js';

afterAll(removeSynthesized);

const getAtt = (logicalId: RegExp) => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(logicalId.source), 'Arn'],
});

describe('a zoned job beside a UTC job', () => {
  let template: Template;
  let stack: MaintenanceJobsStack;
  let findings: string[];

  beforeAll(() => {
    // GIVEN a daily job at 03:30 in Bratislava and an hourly UTC job
    const jobs = defineCatalogue([
      {
        name: 'zoned-job',
        description: 'Runs at 03:30 in Bratislava.',
        schedule: Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratislava' }),
        timeoutSeconds: 60,
      },
      {
        name: 'throwaway-job',
        description: 'Runs at :15 UTC.',
        schedule: Schedule.hourly({ minute: 15 }),
        timeoutSeconds: 60,
      },
    ]);

    // WHEN synthesised
    const synthesized = synthesize({ jobs, jobsDir: fixtureJobsDir });
    ({ template, stack } = synthesized);
    findings = nagFindings(synthesized.app, stack);
  });

  it('fires the zoned job from a Scheduler schedule in its zone, and the UTC job from a rule, as before', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Bratislava',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: getAtt(/^zonedjobJobFunction/) }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 * * * ? *)',
      Targets: [Match.objectLike({ Arn: getAtt(/^throwawayjobJobFunction/) })],
    });
  });

  it('sends the input the handler validates, built from Scheduler’s context attributes', () => {
    const [[, schedule]] = resourcesOf(template, 'AWS::Scheduler::Schedule') as [
      [string, { Properties: { Target: { Input: string } } }],
    ];
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      source: 'aws.scheduler',
      scheduleArn: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attemptNumber: '<aws.scheduler.attempt-number>',
    });
  });

  it('retries delivery 3 times within one period (the longest real gap, 25 h, at most 24 h) and dead-letters it', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: getAtt(/^zonedjobUndeliveredEvents/) },
      }),
    });
    // Both jobs' queues: encrypted, TLS only (the same as before)
    template.resourceCountIs('AWS::SQS::Queue', 4);
    expectQueuesEncryptedWithTls(template, 4);
  });

  it('gives Scheduler a role of its own that may invoke only this function and send to its dead-letter queue', () => {
    const [[, schedule]] = resourcesOf(template, 'AWS::Scheduler::Schedule') as [
      [string, { Properties: { Target: { RoleArn: { 'Fn::GetAtt': [string, string] } } } }],
    ];
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '123456789012',
            'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default',
          },
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.[1].Properties.PolicyDocument as { Statement: unknown[] };
    expect(document.Statement).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^zonedjobJobFunction/), 'Arn'] },
      },
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^zonedjobUndeliveredEvents/), 'Arn'] },
      },
    ]);
  });

  it('keeps the function’s asynchronous retries and failed-runs queue', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventInvokeConfig',
      {
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: getAtt(/FailedRuns/) },
        },
      },
      2,
    );
  });

  it('alarms on errors, both dead-letter queues, and no successful run in the longest real gap’s two periods', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    // 25 hours (the autumn day) in 1-day periods: 3 of them cover two gaps
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(
        '^zoned-job: no successful run in 3 × 1 day .*cron\\(30 3 \\* \\* \\? \\*\\) in Europe/Bratislava',
      ),
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'Succeeded',
              Dimensions: Match.arrayWith([{ Name: 'job', Value: 'zoned-job' }]),
            }),
            Period: 86_400,
          }),
        }),
      ]),
    });
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^zonedjob'), 'QueueName'] },
          },
        ],
      },
      2,
    );
  });

  it('gives the zoned job its dashboard row, naming its zone and trigger', () => {
    const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboards.map(([, dashboard]) => dashboard.Properties));
    expect(body).toContain('## zoned-job');
    expect(body).toContain('cron(30 3 * * ? *) in Europe/Bratislava');
    expect(body).toContain('EventBridge Scheduler');
    expect(body).toContain('zoned-job: runs');
  });

  it('tells the operator CLI what fires each job', () => {
    const [zoned, utc] = stack.jobs;
    expect(zoned?.trigger.kind).toBe(TriggerKind.SchedulerSchedule);
    expect(zoned?.rule).toBeUndefined();
    expect(utc?.trigger.kind).toBe(TriggerKind.Rule);
  });

  it('passes cdk-nag with no new acknowledgement, and synthesises without warnings', () => {
    expect(findings).toEqual([]);
    expect(warningsOf(stack)).toEqual([]);
  });
});

describe('a job with a flexible window', () => {
  it('deploys on Scheduler even in UTC, with the window, and widens its freshness alarm by it', () => {
    // GIVEN an hourly UTC job that may start within 30 minutes
    const jobs = defineCatalogue([
      {
        name: 'throwaway-job',
        description: 'Flexible.',
        schedule: Schedule.hourly({ flexibleWindowMinutes: 30 }),
        timeoutSeconds: 60,
      },
    ]);

    // WHEN synthesised
    const { app, stack, template } = synthesize({ jobs, jobsDir: fixtureJobsDir });

    // THEN
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
    });
    // 1 h + 30 min between two runs at worst: periods of 2 h, two of them
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 2,
      Metrics: Match.arrayWith([
        Match.objectLike({ MetricStat: Match.objectLike({ Period: 7_200 }) }),
      ]),
    });
    expect(nagFindings(app, stack)).toEqual([]);
  });
});
