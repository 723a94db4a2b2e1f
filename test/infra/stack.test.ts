import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogue,
  defineCatalogue,
  retentionSlackSeconds,
} from '../../functions/catalogue/index.js';
import { Schedule } from '../../functions/schedule/schedule.js';
import {
  expectQueuesEncryptedWithTls,
  fixtureJobsDir,
  nagFindings,
  removeSynthesized,
  resourcesOf,
  synthesize,
  warningsOf,
} from './synth.js';

const jobsByName = (name: string) => catalogue.find((job) => job.name === name);
/** The "retention breached" alarm's metric, as the template renders it. */
const overdueMetric = (job: string, period: number) =>
  Match.objectLike({
    MetricStat: {
      Metric: {
        Namespace: 'LocationMaintenanceJobs',
        MetricName: 'OldestRowOverdue',
        Dimensions: Match.arrayWith([{ Name: 'job', Value: job }]),
      },
      Period: period,
      Stat: 'Maximum',
    },
  });
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

afterAll(removeSynthesized);

describe('MaintenanceJobsStack, with no context', () => {
  let template: Template;
  let findings: string[];
  let warnings: string[];

  beforeAll(() => {
    // GIVEN the catalogue and no context; WHEN synthesised
    const { app, stack, template: synthesized } = synthesize();
    template = synthesized;
    findings = nagFindings(app, stack);
    warnings = warningsOf(stack);
  });

  it('creates one function, one rule and two dead-letter queues per catalogued job', () => {
    template.resourceCountIs('AWS::Lambda::Function', catalogue.length);
    template.resourceCountIs('AWS::Events::Rule', catalogue.length);
    template.resourceCountIs('AWS::SQS::Queue', 2 * catalogue.length);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', catalogue.length);
  });

  it.each(catalogue.map((job) => [job.name, job] as const))(
    '%s: latest Node.js on arm64, timeout and memory from the catalogue, reserved concurrency 1, Powertools env',
    (_name, job) => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: job.description,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: job.timeoutSeconds,
        MemorySize: job.memoryMiB,
        ReservedConcurrentExecutions: 1,
        LoggingConfig: { LogGroup: Match.anyValue() },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'location-maintenance-jobs',
            POWERTOOLS_METRICS_NAMESPACE: 'LocationMaintenanceJobs',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            DB_SECRET_ARN: { Ref: Match.stringLikeRegexp('^DatabaseSecret') },
            NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    },
  );

  it('fires each job on its catalogue schedule, with a retry policy, a stale-event age and a DLQ', () => {
    expect(
      resourcesOf(template, 'AWS::Events::Rule')
        .map(([, rule]) => rule.Properties.ScheduleExpression)
        .sort(),
    ).toEqual(catalogue.map((job) => job.schedule.expression).sort());
    // An hourly job's event is stale after an hour; a daily job's after a day.
    for (const [name, age] of [
      ['location-cleanup', 3_600],
      ['idempotency-key-purge', 86_400],
    ] as const) {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: jobsByName(name)?.schedule.expression,
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: age },
            DeadLetterConfig: {
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UndeliveredEvents'), 'Arn'] },
            },
          }),
        ],
      });
    }
  });

  it('retries failed asynchronous runs twice, within the period (at most 6 h), then dead-letters them', () => {
    for (const age of [3_600, 21_600]) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: age,
        Qualifier: '$LATEST',
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedRuns'), 'Arn'] },
          },
        },
      });
    }
  });

  it('encrypts every queue and refuses requests without TLS', () => {
    expectQueuesEncryptedWithTls(template, 2 * catalogue.length);
  });

  it('keeps each function’s logs in its own log group for a month', () => {
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: 30 },
      catalogue.length,
    );
  });

  it('grants each role only its log group, the one database secret and its failed-runs queue: no "*" resource', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    expect(policies).toHaveLength(catalogue.length);
    for (const [, policy] of policies) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: unknown }[] }
      ).Statement;
      expect(statements.map((statement) => statement.Resource)).not.toContainEqual('*');
      const grants = statements.map((statement) => ({
        actions: [statement.Action].flat().sort(),
        resource: statement.Resource,
      }));
      expect(grants).toEqual([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] },
        },
        {
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          resource: { Ref: expect.stringMatching(/^DatabaseSecret/) },
        },
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resource: { 'Fn::GetAtt': [expect.stringMatching(/FailedRuns/), 'Arn'] },
        },
      ]);
    }
    // No AWS managed policies: the roles are exactly the statements above.
    for (const [, role] of resourcesOf(template, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('creates a database secret for the operator to fill in, with the RDS fields', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        GenerateStringKey: 'password',
        SecretStringTemplate: JSON.stringify({
          engine: 'postgres',
          host: '',
          port: 5432,
          dbname: '',
          username: '',
        }),
      },
    });
  });

  it('alarms on errors, on dead letters and on no successful run for two periods, to an encrypted topic', () => {
    // and "retention breached" and "rows in the DEFAULT partition" (below): six per job
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6 * catalogue.length);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      },
      catalogue.length,
    );
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 },
      2 * catalogue.length,
    );
    for (const [name, period] of [
      ['location-cleanup', 3_600],
      ['idempotency-key-purge', 86_400],
    ] as const) {
      const runMetric = (metricName: string) =>
        Match.objectLike({
          MetricStat: {
            Metric: {
              Namespace: 'LocationMaintenanceJobs',
              MetricName: metricName,
              Dimensions: Match.arrayWith([{ Name: 'job', Value: name }]),
            },
            Period: period,
            Stat: 'Sum',
          },
        });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
        Metrics: Match.arrayWith([runMetric('Succeeded'), runMetric('CutShort')]),
      });
    }
  });

  it('alarms when rows that belong to a period stay in the DEFAULT partition through two periods of runs', () => {
    for (const [name, period] of [
      ['location-cleanup', 3_600],
      ['idempotency-key-purge', 86_400],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: {
                Namespace: 'LocationMaintenanceJobs',
                MetricName: 'DefaultPartitionRows',
                Dimensions: Match.arrayWith([{ Name: 'job', Value: name }]),
              },
              Period: period,
              Stat: 'Minimum',
            },
          }),
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
  });

  it('alarms "retention breached" apart from the others: the oldest row left past the slack of two periods', () => {
    for (const [name, period, slack] of [
      ['location-cleanup', 3_600, 7_200],
      ['idempotency-key-purge', 86_400, 172_800],
    ] as const) {
      const entry = jobsByName(name);
      expect(entry && retentionSlackSeconds(entry)).toBe(slack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(`^${name}: retention breached`),
        Metrics: [overdueMetric(name, period)],
        Threshold: slack,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        // the last measurement stands until the next
        TreatMissingData: 'ignore',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
  });

  it('shows each job’s "retention breached" alarm and the oldest row’s age on the dashboard', () => {
    const body = JSON.stringify(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    const breachAlarms = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) =>
        String(JSON.stringify(alarm.Properties.Metrics)).includes('OldestRowOverdue'),
      )
      .map(([id]) => id);
    expect(breachAlarms).toHaveLength(catalogue.length);
    for (const id of breachAlarms) expect(body).toContain(`"${id}","Arn"`);
    for (const entry of catalogue) {
      expect(body).toContain(`${entry.name}: retention breached`);
      expect(body).toContain(`${entry.name}: age of the oldest row left (days)`);
    }
    expect(body).toContain('OldestRowAge');
  });

  it('ships a dashboard and the Logs Insights queries over every job’s log group', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const queries = resourcesOf(template, 'AWS::Logs::QueryDefinition').map(
      ([, query]) => query.Properties,
    );
    expect(queries.map((query) => query.Name).sort()).toEqual([
      'location-maintenance-jobs/failed runs',
      'location-maintenance-jobs/recent runs',
      'location-maintenance-jobs/rows deleted per day',
      'location-maintenance-jobs/slowest runs',
    ]);
    for (const query of queries) {
      expect(query.LogGroupNames).toHaveLength(catalogue.length);
      expect(query.QueryString).toContain('message = "job finished"');
    }
  });

  it('passes cdk-nag AwsSolutions (every acknowledgement carries its reason in code)', () => {
    expect(findings).toEqual([]);
  });

  it('synthesises without warnings', () => {
    expect(warnings).toEqual([]);
  });
});

describe('MaintenanceJobsStack, with context', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pm/db-AbC123';

  it('uses an existing secret by ARN and grants reading exactly that one', () => {
    // GIVEN dbSecretArn; WHEN synthesised
    const { app, stack, template } = synthesize({ dbSecretArn: secretArn });

    // THEN
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_SECRET_ARN: secretArn }) },
    });
    template.resourcePropertiesCountIs(
      'AWS::IAM::Policy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
              Resource: secretArn,
            }),
          ]),
        },
      },
      catalogue.length,
    );
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('subscribes the alarm email to the topic', () => {
    const { template } = synthesize({ alarmEmail: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('places the functions in the given VPC subnets and security group', () => {
    // GIVEN a network; WHEN synthesised
    const { app, stack, template } = synthesize({
      network: {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnetIds: ['subnet-0a1b2c3d4e5f60719', 'subnet-0a1b2c3d4e5f6071a'],
        securityGroupId: 'sg-0a1b2c3d4e5f6071b',
      },
    });

    // THEN
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        VpcConfig: {
          SubnetIds: ['subnet-0a1b2c3d4e5f60719', 'subnet-0a1b2c3d4e5f6071a'],
          SecurityGroupIds: ['sg-0a1b2c3d4e5f6071b'],
        },
      },
      catalogue.length,
    );
    // imported by id, offline: no lookup, and nothing for `cdk synth` to warn about
    expect(warningsOf(stack)).toEqual([]);
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('lets each role manage the function’s network interfaces in the VPC, and only those', () => {
    // GIVEN a network; WHEN synthesised
    const { template } = synthesize({
      network: {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnetIds: ['subnet-0a1b2c3d4e5f60719'],
        securityGroupId: 'sg-0a1b2c3d4e5f6071b',
      },
    });

    // THEN (Lambda checks these when it creates a function in a VPC)
    const ec2Arn = (resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${resource}`,
        ],
      ],
    });
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    expect(policies).toHaveLength(catalogue.length);
    for (const [, policy] of policies) {
      const statements = (
        policy.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement.map((statement) => ({
        actions: [statement.Action].flat().sort(),
        // IAM policy minimisation orders a statement's resources: compare them as a set
        resource: Array.isArray(statement.Resource)
          ? [...statement.Resource].sort(byJson)
          : statement.Resource,
      }));
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
            resource: '*',
          },
          {
            actions: ['ec2:CreateNetworkInterface'],
            resource: [
              ec2Arn('network-interface/*'),
              ec2Arn('subnet/subnet-0a1b2c3d4e5f60719'),
              ec2Arn('security-group/sg-0a1b2c3d4e5f6071b'),
            ].sort(byJson),
          },
          {
            actions: [
              'ec2:AssignPrivateIpAddresses',
              'ec2:DeleteNetworkInterface',
              'ec2:UnassignPrivateIpAddresses',
            ],
            resource: ec2Arn('network-interface/*'),
          },
        ]),
      );
      // "*" only for the two Describe actions, which take no resource
      const anyResource = statements.filter((statement) => statement.resource === '*');
      expect(anyResource.flatMap((statement) => statement.actions)).toEqual([
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
      ]);
    }
  });

  it('runs the idempotency-key purge at 03:30 in the zone jobTimeZones sets, on Scheduler', () => {
    // GIVEN jobTimeZones for the purge; WHEN synthesised
    const { app, stack, template } = synthesize({
      jobTimeZones: { 'idempotency-key-purge': 'Europe/Bratislava' },
    });

    // THEN the purge is on a schedule in Bratislava time, the cleanup keeps its rule
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 * * * ? *)',
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Bratislava',
    });
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('passes each job’s own settings as its environment', () => {
    const { template } = synthesize({
      jobEnvironment: { 'location-cleanup': { LOCATION_RETENTION_DAYS: '14' } },
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ LOCATION_RETENTION_DAYS: '14' }) } },
      1,
    );
  });
});

describe('adding a job to the catalogue', () => {
  it('adds its function, rule, queues and alarms with no change under infra/', () => {
    // GIVEN a catalogue with a throwaway job every 6 hours
    const jobs = defineCatalogue([
      {
        name: 'throwaway-job',
        description: 'Exists only for this test.',
        schedule: Schedule.expression('rate(6 hours)'),
        timeoutSeconds: 60,
        memoryMiB: 128,
      },
    ]);

    // WHEN synthesised
    const { app, stack, template } = synthesize({ jobs, jobsDir: fixtureJobsDir });

    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Exists only for this test.',
      Timeout: 60,
      MemorySize: 128,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21_600 },
        }),
      ],
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    // two periods of 6 hours
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 2,
      Metrics: Match.arrayWith([
        Match.objectLike({ MetricStat: Match.objectLike({ Period: 21_600 }) }),
      ]),
    });
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('with retention: a "retention breached" alarm at its slack; without: none', () => {
    // GIVEN a purge-like job with a slack of 90 minutes, and one that keeps no retention
    const jobs = defineCatalogue([
      {
        name: 'throwaway-job',
        description: 'Exists only for this test.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
        retention: { slackMinutes: 90 },
      },
      {
        name: 'zoned-job',
        description: 'Exists only for this test.',
        schedule: Schedule.hourly({ minute: 10 }),
        timeoutSeconds: 60,
      },
    ]);

    // WHEN synthesised
    const { app, stack, template } = synthesize({ jobs, jobsDir: fixtureJobsDir });

    // THEN one such alarm, the first job's, at 90 minutes (and its DEFAULT-partition alarm)
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [overdueMetric('throwaway-job', 3_600)],
      Threshold: 5_400,
    });
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('gives a job that runs too rarely for CloudWatch no freshness alarm, and says so at synth', () => {
    // GIVEN a weekly job (CloudWatch alarms look back 7 days at most)
    const jobs = defineCatalogue([
      {
        name: 'throwaway-job',
        description: 'Exists only for this test.',
        schedule: Schedule.expression('cron(0 4 ? * MON *)'),
        timeoutSeconds: 60,
      },
    ]);

    // WHEN synthesised
    const { stack, template } = synthesize({ jobs, jobsDir: fixtureJobsDir });

    // THEN its errors and dead-letter alarms only, and a warning naming the job
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { TreatMissingData: 'breaching' },
      0,
    );
    expect(warningsOf(stack)).toEqual([
      expect.stringContaining('throwaway-job: runs too rarely for a "no successful run'),
    ]);
  });
});
