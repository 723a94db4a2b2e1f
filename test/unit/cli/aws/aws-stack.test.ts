import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsCommandError } from '../../../../cli/aws/aws-errors.js';
import {
  type AwsMocks,
  awsError,
  awsMocks,
  cleanup,
  deployStack,
  restoreAwsMocks,
  run,
  stackName,
} from './aws-fixtures.js';

describe('--aws: finding the deployed stack', () => {
  let mocks: AwsMocks;

  beforeEach(() => {
    mocks = awsMocks();
  });
  afterAll(() => restoreAwsMocks(mocks));

  it('without credentials: one line saying how to sign in, exit 2', async () => {
    // Prepare
    mocks.cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );

    // Act
    const failure = run({ name: 'status', json: false });

    // Assess
    await expect(failure).rejects.toThrow(AwsCommandError);
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /^no AWS credentials for reading the stack LocationMaintenanceJobs: sign in/,
      ),
    });
  });

  it('a stack that is not deployed: names it and the region, suggests --stage or --region, exit 2', async () => {
    // Prepare
    mocks.cloudFormation
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', `Stack with id ${stackName} does not exist`));

    // Act
    const failure = run({ name: 'history', limit: 20, json: false });

    // Assess
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: `the stack ${stackName} is not deployed in eu-west-1: deploy it (npx cdk deploy), or pick another --stage or --region`,
    });
  });

  it('access denied: says so with AWS’s message, exit 1', async () => {
    // Prepare
    mocks.cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks',
        ),
      );

    // Act
    const failure = run({ name: 'status', json: false });

    // Assess
    await expect(failure).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /^access denied reading the stack LocationMaintenanceJobs: User: .* is not authorized to perform: cloudformation:DescribeStacks$/,
      ),
    });
  });

  it('a stack deployed by a version without job outputs: deploy this one, exit 2', async () => {
    // Prepare
    deployStack(mocks, []);

    // Act
    const failure = run({ name: 'status', json: false });

    // Assess
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('has no job outputs'),
    });
  });

  it('a job the stack does not have: lists the ones it has, exit 2', async () => {
    // Prepare
    deployStack(mocks, [cleanup]);

    // Act
    const failure = run({ name: 'pause', job: 'no-such-job' });

    // Assess
    await expect(failure).rejects.toMatchObject({
      exitCode: 2,
      message: `the stack ${stackName} has no job "no-such-job": it has location-cleanup`,
    });
  });
});
