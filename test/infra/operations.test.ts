/** The stack's side of operating the jobs: paused jobs, stages, and the outputs the CLI reads. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, defineCatalogue } from '../../functions/catalogue/index.js';
import {
  jobOutputKey,
  readDeployedJobs,
  stackNameFor,
} from '../../functions/catalogue/stack-outputs.js';
import { recentRunsQuery, renderLogQuery } from '../../functions/runner/run-log-queries.js';
import { Schedule } from '../../functions/schedule/schedule.js';
import {
  DeploymentSettingsError,
  readDeploymentSettings,
} from '../../infra/deployment-settings.js';
import { MaintenanceJobsStack } from '../../infra/maintenance-jobs-stack.js';
import {
  fixtureJobsDir,
  nagFindings,
  removeSynthesized,
  resourcesOf,
  synthesize,
  templateTestContext,
} from './synth.js';

afterAll(removeSynthesized);

/** Properties that fix a resource's name in the account (two stacks must not share one). */
const physicalNameKeys = [
  'FunctionName',
  'RoleName',
  'QueueName',
  'TopicName',
  'DashboardName',
  'AlarmName',
  'LogGroupName',
  'Name',
];

/** The logical id of the rule of a job (the construct path starts with the job's name). */
function logicalIdOf(template: Template, type: string, pathPart: string): string {
  const found = Object.keys(template.findResources(type)).filter((id) => id.startsWith(pathPart));
  expect(found).toHaveLength(1);
  return found[0] as string;
}

/** The job outputs with each `Ref` written as `<Ref:LogicalId>`, parsed by the CLI's reader. */
function jobOutputs(template: Template) {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  const asText = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(asText).join(join[0]);
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `<Ref:${ref}>`;
    throw new Error(`unexpected output value ${JSON.stringify(value)}`);
  };
  return readDeployedJobs(
    Object.entries(outputs).map(([key, output]) => ({
      OutputKey: key,
      OutputValue: asText(output.Value),
    })),
  );
}

describe('a paused job', () => {
  it('with context pausedJobs: its rule disabled, its "no successful run" alarm off, the others untouched', () => {
    // GIVEN pausedJobs=location-cleanup; WHEN synthesised
    const { app, stack, template } = synthesize({ pausedJobs: ['location-cleanup'] });

    // THEN
    const cleanupRule = logicalIdOf(template, 'AWS::Events::Rule', 'locationcleanup');
    const purgeRule = logicalIdOf(template, 'AWS::Events::Rule', 'idempotencykeypurge');
    const rules = template.findResources('AWS::Events::Rule');
    expect(rules[cleanupRule]?.Properties.State).toBe('DISABLED');
    expect(rules[purgeRule]?.Properties.State).toBe('ENABLED');
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(
      alarms[
        logicalIdOf(template, 'AWS::CloudWatch::Alarm', 'locationcleanupAlarmsNoSuccessfulRun')
      ]?.Properties.ActionsEnabled,
    ).toBe(false);
    expect(
      alarms[
        logicalIdOf(template, 'AWS::CloudWatch::Alarm', 'idempotencykeypurgeAlarmsNoSuccessfulRun')
      ]?.Properties.ActionsEnabled,
    ).toBe(true);
    // the failure alarms stay on: a run by hand that fails still notifies
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { ActionsEnabled: false }, 1);
    expect(jobOutputs(template).map((job) => [job.job, job.paused])).toEqual([
      ['location-cleanup', true],
      ['idempotency-key-purge', false],
    ]);
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('with enabled: false in the catalogue: deployed the same way', () => {
    // GIVEN a catalogue entry with enabled: false
    const jobs = defineCatalogue([
      {
        name: 'throwaway-job',
        description: 'Exists only for this test.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
        enabled: false,
      },
    ]);

    // WHEN synthesised
    const { template } = synthesize({ jobs, jobsDir: fixtureJobsDir });

    // THEN
    template.hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      TreatMissingData: 'breaching',
      ActionsEnabled: false,
    });
    expect(jobOutputs(template)[0]?.paused).toBe(true);
  });

  it('a zoned job: its Scheduler schedule deployed DISABLED, and the output names the schedule', () => {
    // GIVEN a paused job in a time zone (fired by EventBridge Scheduler)
    const jobs = defineCatalogue([
      {
        name: 'zoned-job',
        description: 'Runs at 03:30 in Bratislava.',
        schedule: Schedule.daily({ hour: 3, minute: 30, timeZone: 'Europe/Bratislava' }),
        timeoutSeconds: 60,
      },
    ]);

    // WHEN synthesised with pausedJobs
    const { app, stack, template } = synthesize({
      jobs,
      jobsDir: fixtureJobsDir,
      pausedJobs: ['zoned-job'],
    });

    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      TreatMissingData: 'breaching',
      ActionsEnabled: false,
    });
    const [output] = jobOutputs(template);
    expect(output).toMatchObject({
      job: 'zoned-job',
      paused: true,
      trigger: {
        kind: 'schedule',
        name: expect.stringMatching(/^<Ref:zonedjob/),
        group: 'default',
      },
    });
    expect(nagFindings(app, stack)).toEqual([]);
  });

  it('refuses pausedJobs naming a job that is not deployed, naming the key', () => {
    expect(() => synthesize({ pausedJobs: ['location-clean-up'] })).toThrow(
      new DeploymentSettingsError(
        'context pausedJobs: no job named location-clean-up; the jobs are location-cleanup, idempotency-key-purge',
      ),
    );
  });
});

describe('stages', () => {
  it('deploys a second, independent copy: its own stack name, resources and saved queries', () => {
    // GIVEN the default stack and a staging stack in one app (one account)
    const app = new App({ context: templateTestContext() });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const production = new MaintenanceJobsStack(app, stackNameFor(), { env });
    const staging = new MaintenanceJobsStack(app, stackNameFor('staging'), {
      env,
      stage: 'staging',
    });

    // WHEN synthesised
    const templates = [production, staging].map((stack) => Template.fromStack(stack));

    // THEN: today's name without a stage, the stage's name with one
    expect([production.stackName, staging.stackName]).toEqual([
      'LocationMaintenanceJobs',
      'LocationMaintenanceJobs-staging',
    ]);
    // each has its own functions, alarms, dashboard and secret
    for (const template of templates) {
      template.resourceCountIs('AWS::Lambda::Function', catalogue.length);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    }
    // no name is fixed in both (CloudFormation names the rest after each stack)
    const fixedNames = (template: Template) =>
      Object.values(template.toJSON().Resources as Record<string, { Properties?: object }>)
        .flatMap((resource) => Object.entries(resource.Properties ?? {}))
        .filter(([key, value]) => physicalNameKeys.includes(key) && typeof value === 'string')
        .map(([, value]) => value as string);
    const [productionNames, stagingNames] = templates.map(fixedNames);
    expect(productionNames?.filter((name) => stagingNames?.includes(name))).toEqual([]);
    expect(
      resourcesOf(templates[1] as Template, 'AWS::Logs::QueryDefinition')
        .map(([, query]) => query.Properties.Name)
        .sort(),
    ).toEqual([
      'location-maintenance-jobs-staging/failed runs',
      'location-maintenance-jobs-staging/recent runs',
      'location-maintenance-jobs-staging/rows deleted per day',
      'location-maintenance-jobs-staging/slowest runs',
    ]);
  });

  it('takes a stage from context -c stage=..., and refuses a name that cannot be a stack name', () => {
    const read = (context: Record<string, unknown>) =>
      readDeploymentSettings((key) => context[key]);
    expect(
      read({ stage: 'staging', pausedJobs: 'location-cleanup, idempotency-key-purge' }),
    ).toEqual({
      stage: 'staging',
      pausedJobs: ['location-cleanup', 'idempotency-key-purge'],
    });
    expect(() => read({ stage: 'Staging_1' })).toThrow(DeploymentSettingsError);
    expect(() => read({ stage: 'Staging_1' })).toThrow(/^context stage must be lowercase/);
  });
});

describe('the outputs the operator CLI reads', () => {
  // GIVEN no context; WHEN synthesised (once, for both tests)
  let template: Template;
  beforeAll(() => {
    ({ template } = synthesize());
  });

  it('describe each job: its function, log group, rule and alarms, by reference', () => {
    // THEN
    const jobs = jobOutputs(template);
    expect(jobs.map((job) => job.job)).toEqual(catalogue.map((entry) => entry.name));
    const ref = (type: string, prefix: string) => `<Ref:${logicalIdOf(template, type, prefix)}>`;
    expect(jobs[0]).toEqual({
      job: 'location-cleanup',
      functionName: ref('AWS::Lambda::Function', 'locationcleanupJobFunction'),
      logGroupName: ref('AWS::Logs::LogGroup', 'locationcleanupJobLogs'),
      trigger: { kind: 'rule', name: ref('AWS::Events::Rule', 'locationcleanup') },
      paused: false,
      alarms: {
        errors: ref('AWS::CloudWatch::Alarm', 'locationcleanupAlarmsErrors'),
        deadLetters: [
          ref('AWS::CloudWatch::Alarm', 'locationcleanupAlarmsDeadLetters0'),
          ref('AWS::CloudWatch::Alarm', 'locationcleanupAlarmsDeadLetters1'),
        ],
        noSuccessfulRun: ref('AWS::CloudWatch::Alarm', 'locationcleanupAlarmsNoSuccessfulRun'),
        retentionBreached: ref('AWS::CloudWatch::Alarm', 'locationcleanupAlarmsRetentionBreached'),
        defaultPartitionRows: ref(
          'AWS::CloudWatch::Alarm',
          'locationcleanupAlarmsDefaultPartitionRows',
        ),
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(catalogue.map((e) => jobOutputKey(e.name))),
    );
  });

  it('save the "recent runs" query that history --aws runs, with the same text', () => {
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'location-maintenance-jobs/recent runs',
      QueryString: renderLogQuery(recentRunsQuery()),
      LogGroupNames: Match.anyValue(),
    });
  });
});
