import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  awsError,
  cleanup,
  finished,
  finishedRow,
  now,
  run,
  useDeployedStack,
} from './aws-fixtures.js';

describe('history --aws', () => {
  const mocks = useDeployedStack();

  beforeEach(() => {
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-7' });
  });

  it('runs the recent-runs query on the job’s log group and shows the runs newest first', async () => {
    // Prepare
    mocks.logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        finishedRow(
          finished('location-cleanup', '2026-11-28T11:15:00.000Z', {
            outcome: 'failed',
            durationMs: 5_012,
            result: undefined,
            error: {
              name: 'BatchFailedError',
              message: 'batch 3 failed',
              cause: {
                name: 'error',
                message: 'canceling statement due to statement timeout',
                code: '57014',
              },
            },
          }),
        ),
        finishedRow(finished('location-cleanup', '2026-11-28T10:15:00.000Z')),
        // a row without its line (another query's shape): passed over
        [{ field: '@timestamp', value: '2026-11-28 09:15:00.000' }],
      ],
    });

    // Act
    const { code, stdout } = await run({
      name: 'history',
      job: 'location-cleanup',
      limit: 5,
      json: false,
    });

    // Assess
    expect(code).toBe(0);
    const input = mocks.logs.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(input?.logGroupNames).toEqual([cleanup.logGroupName]);
    expect(input?.queryString).toMatch(
      /^fields @timestamp, .*@message\n\| filter message = "job finished"\n\| sort @timestamp desc\n\| limit 5$/,
    );
    expect(input?.startTime).toBe((now - 30 * 86_400_000) / 1_000);
    const rows = stdout
      .split('\n')
      .slice(2)
      .map((row) => row.split(/ {2,}/));
    expect(rows).toEqual([
      [
        '2026-11-28 11:15Z',
        'location-cleanup',
        'schedule',
        'failed',
        '5.0 s',
        'BatchFailedError: batch 3 failed; cause: error: canceling statement due to statement timeout (57014)',
      ],
      [
        '2026-11-28 10:15Z',
        'location-cleanup',
        'schedule',
        'succeeded',
        '812 ms',
        'deleted 100,356 rows in 11 batches',
      ],
    ]);
  });

  it('--json: one run record per line, every job’s log group when no job is named', async () => {
    // Prepare
    mocks.logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [finishedRow(finished('idempotency-key-purge', '2026-11-28T03:30:00.000Z'))],
    });

    // Act
    const { stdout } = await run({ name: 'history', limit: 20, json: true });

    // Assess
    expect(mocks.logs.commandCalls(StartQueryCommand)[0]?.args[0].input.logGroupNames).toHaveLength(
      2,
    );
    expect(JSON.parse(stdout)).toEqual(
      finished('idempotency-key-purge', '2026-11-28T03:30:00.000Z'),
    );
  });

  it('a query that fails: says so, exit 1; one that does not finish: stopped after the last look', async () => {
    // Prepare
    mocks.logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Failed' })
      .resolves({ status: 'Running' });

    // Act
    const failed = run({ name: 'history', limit: 20, json: false });
    await expect(failed).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('the query ended Failed'),
    });
    const stuck = run({ name: 'history', limit: 20, json: false });

    // Assess
    await expect(stuck).rejects.toMatchObject({
      message: expect.stringContaining('did not finish after 120 looks'),
    });
    expect(mocks.logs.commandCalls(StopQueryCommand)).toHaveLength(1);
  });

  it('access denied to the logs: one line, exit 1', async () => {
    // Prepare
    mocks.logs
      .on(StartQueryCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: logs:StartQuery'));

    // Act, Assess
    await expect(run({ name: 'history', limit: 20, json: false })).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /^access denied querying the logs of .*: not authorized to perform: logs:StartQuery$/,
      ),
    });
  });
});
