/**
 * A deployed stack as the AWS APIs describe it, for the `--aws` command tests: every AWS call
 * goes to aws-sdk-client-mock (nothing reaches AWS), everything else is the real code.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach } from 'vitest';
import { createAwsClients } from '../../../../cli/aws/aws-clients.js';
import { type AwsCommand, runAwsCommand } from '../../../../cli/aws/aws-commands.js';
import {
  type DeployedJob,
  jobOutputKey,
  stackNameFor,
} from '../../../../functions/catalogue/stack-outputs.js';
import type { RunRecord } from '../../../../functions/runner/types.js';
import { humanLineLogger } from '../../../../harness/output/human-line-logger.js';
import { runRecord } from '../../../support/run-records.js';

/** 2026-11-28 12:00 UTC, a Saturday. */
export const now = Date.parse('2026-11-28T12:00:00.000Z');

export const stackName = stackNameFor();

/** The UTC job, on an EventBridge rule. */
export const cleanup: DeployedJob = {
  job: 'location-cleanup',
  functionName: 'LocationMaintenanceJobs-locationcleanupJobFunction-AbC123',
  logGroupName: 'LocationMaintenanceJobs-locationcleanupJobLogs-XyZ789',
  trigger: { kind: 'rule', name: 'LocationMaintenanceJobs-locationcleanupSchedule-Q1W2E3' },
  paused: false,
  alarms: {
    errors: 'cleanup-errors',
    deadLetters: ['cleanup-undelivered', 'cleanup-failed-runs'],
    noSuccessfulRun: 'cleanup-no-successful-run',
    retentionBreached: 'cleanup-retention-breached',
  },
};

/** A zoned job, on an EventBridge Scheduler schedule (issue 11), deployed paused. */
export const zoned: DeployedJob = {
  job: 'idempotency-key-purge',
  functionName: 'LocationMaintenanceJobs-idempotencykeypurgeJobFunction-DeF456',
  logGroupName: 'LocationMaintenanceJobs-idempotencykeypurgeJobLogs-UvW321',
  trigger: { kind: 'schedule', name: 'idempotency-key-purge-schedule', group: 'default' },
  paused: true,
  alarms: { errors: 'purge-errors', deadLetters: ['purge-undelivered'] },
};

/** The mocks of every client, reset before each test. */
export function awsMocks() {
  return {
    cloudFormation: mockClient(CloudFormationClient),
    eventBridge: mockClient(EventBridgeClient),
    scheduler: mockClient(SchedulerClient),
    cloudWatch: mockClient(CloudWatchClient),
    logs: mockClient(CloudWatchLogsClient),
    lambda: mockClient(LambdaClient),
  };
}
export type AwsMocks = ReturnType<typeof awsMocks>;

/** Gives the clients their real `send` back (files share worker processes). */
export function restoreAwsMocks(mocks: AwsMocks | undefined): void {
  for (const mock of Object.values(mocks ?? {})) mock.restore();
}

/**
 * Mocks for every test of the file, with the stack deployed (DescribeStacks answers): made
 * afresh before each test, read through the object returned (in a test or a later
 * `beforeEach`).
 */
export function useDeployedStack(): AwsMocks {
  let mocks: AwsMocks | undefined;
  beforeEach(() => {
    mocks = awsMocks();
    deployStack(mocks);
  });
  afterAll(() => restoreAwsMocks(mocks));
  const current = (): AwsMocks => {
    if (!mocks) throw new Error('the mocks are made in beforeEach: use them in a test');
    return mocks;
  };
  return {
    get cloudFormation() {
      return current().cloudFormation;
    },
    get eventBridge() {
      return current().eventBridge;
    },
    get scheduler() {
      return current().scheduler;
    },
    get cloudWatch() {
      return current().cloudWatch;
    },
    get logs() {
      return current().logs;
    },
    get lambda() {
      return current().lambda;
    },
  };
}

/** DescribeStacks answers with the stack's outputs for `jobs` (and the outputs every stack has). */
export function deployStack(
  mocks: AwsMocks,
  jobs: readonly DeployedJob[] = [cleanup, zoned],
): void {
  mocks.cloudFormation.on(DescribeStacksCommand, { StackName: stackName }).resolves({
    Stacks: [
      {
        StackName: stackName,
        CreationTime: new Date(now - 86_400_000),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'DashboardName', OutputValue: 'LocationMaintenanceJobs-Dashboard' },
          { OutputKey: 'locationcleanupfunction', OutputValue: cleanup.functionName },
          ...jobs.map((job) => ({
            OutputKey: jobOutputKey(job.job),
            OutputValue: JSON.stringify(job),
          })),
        ],
      },
    ],
  });
}

/** An error as the SDK throws it for a service's error response. */
export function awsError(name: string, message: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {}, ...fields });
}

/** A command as the tests write it: the target stack is the fixture's. */
type CommandWithoutTarget<C> = C extends unknown ? Omit<C, 'aws'> : never;

/** Runs an `--aws` command against the mocks; what it printed, and its exit code. */
export async function run(
  command: CommandWithoutTarget<AwsCommand>,
  options: { isTerminal?: boolean } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const delays: number[] = [];
  const code = await runAwsCommand({ ...command, aws: { stackName } } as AwsCommand, {
    clients: createAwsClients('eu-west-1'),
    print: (text) => out.push(text),
    logger: humanLineLogger((line) => err.push(line), new Set(), { now: () => now }),
    isTerminal: options.isTerminal ?? false,
    now: () => now,
    delay: async (ms) => {
      delays.push(ms);
    },
    jobWidth: 21,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), delays };
}

/** A Logs Insights row for a `job finished` line as the function wrote it. */
export function finishedRow(line: RunRecord | Record<string, unknown>) {
  return [
    { field: '@timestamp', value: String(line.endedAt).replace('T', ' ').replace('Z', '') },
    { field: 'job', value: String(line.job) },
    {
      field: '@message',
      value: JSON.stringify({ level: 'INFO', message: 'job finished', ...line }),
    },
    { field: '@ptr', value: 'CmAKJwoj' },
  ];
}

/** A run's record, as on its `job finished` line. */
export const finished = runRecord;
