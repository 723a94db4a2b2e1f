import { describe, expect, it } from 'vitest';
import { AwsCommandError } from '../../cli/aws/aws-errors.js';
import { UsageError } from '../../cli/cli-args.js';
import { CatalogueError } from '../../functions/catalogue/job-spec.js';
import { StackOutputError, StageNameError } from '../../functions/catalogue/stack-outputs.js';
import { ConfigError } from '../../functions/config/env.js';
import { CommitOutcomeUnknownError } from '../../functions/db/transaction.js';
import { ExitCode, Fault, MaintenanceError } from '../../functions/errors.js';
import { JobFailedError } from '../../functions/lambda/create-handler.js';
import { InvalidEventError } from '../../functions/lambda/event.js';
import { BatchFailedError, TableCheckError } from '../../functions/retention/errors.js';
import { IndexWalkTooSlowError } from '../../functions/retention/keyset-batches.js';
import { DeadlineReached, describeError, SkipRun } from '../../functions/runner/errors.js';
import type { RunRecord } from '../../functions/runner/types.js';
import { ScheduleExpressionError } from '../../functions/schedule/errors.js';
import { DeploymentSettingsError } from '../../infra/deployment-settings.js';

const record = (error?: RunRecord['error']) => ({ job: 'location-cleanup', error }) as RunRecord;

describe('the errors share one base that says whose fault a failure is', () => {
  it.each([
    ['ConfigError', new ConfigError('LOCATION_RETENTION_DAYS', 'must be 1..3650')],
    ['CatalogueError', new CatalogueError('bad job')],
    ['StageNameError', new StageNameError('bad stage')],
    ['ScheduleExpressionError', new ScheduleExpressionError('cron(0 25 * * ? *)')],
    ['InvalidEventError', new InvalidEventError('not an event')],
    ['DeploymentSettingsError', new DeploymentSettingsError('bad context')],
    ['UsageError', new UsageError('unknown flag')],
    ['TableCheckError', new TableCheckError('locations', 'no such table')],
    ['AwsCommandError (no credentials)', new AwsCommandError('no credentials', 2)],
    [
      'JobFailedError of a configuration fault',
      new JobFailedError(record({ name: 'ConfigError', message: 'x', fault: 'configuration' })),
    ],
  ])('%s: the configuration, exit code 2', (_name, error) => {
    expect(error).toBeInstanceOf(MaintenanceError);
    expect(error.fault).toBe(Fault.Configuration);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it.each([
    ['StackOutputError', new StackOutputError('unreadable output')],
    [
      'BatchFailedError',
      new BatchFailedError('locations', { batches: 1, deleted: 10 }, new Error('x')),
    ],
    ['IndexWalkTooSlowError', new IndexWalkTooSlowError(5, new Error('57014'))],
    ['CommitOutcomeUnknownError', new CommitOutcomeUnknownError({}, new Error('cut'))],
    ['SkipRun', new SkipRun('locked')],
    ['DeadlineReached', new DeadlineReached('late')],
    ['AwsCommandError (AWS refused)', new AwsCommandError('throttled', 1)],
    [
      'JobFailedError of a failed run',
      new JobFailedError(record({ name: 'BatchFailedError', message: 'x' })),
    ],
  ])('%s: the run, exit code 1', (_name, error) => {
    expect(error).toBeInstanceOf(MaintenanceError);
    expect(error.fault).toBe(Fault.Run);
    expect(error.exitCode).toBe(ExitCode.Failed);
  });

  it('carries a configuration fault into the run record, and only that one', () => {
    expect(describeError(new TableCheckError('locations', 'no such table'))).toMatchObject({
      name: 'TableCheckError',
      fault: 'configuration',
    });
    expect(describeError(new Error('connection refused'))).not.toHaveProperty('fault');
    expect(describeError(new SkipRun('locked'))).not.toHaveProperty('fault');
  });
});
