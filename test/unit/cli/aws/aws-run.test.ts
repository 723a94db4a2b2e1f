import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../../cli/aws/aws-clients.js';
import { awsError, cleanup, finished, run, useDeployedStack } from './aws-fixtures.js';

/** The log tail Lambda returns (base64 of the last 4 KB): the runtime's lines and the function's. */
function tail(...jsonLines: Record<string, unknown>[]): string {
  const lines = [
    'START RequestId: 6f1c Version: $LATEST',
    ...jsonLines.map((line) => JSON.stringify(line)),
    'END RequestId: 6f1c',
    'REPORT RequestId: 6f1c\tDuration: 912.00 ms\tBilled Duration: 913 ms',
  ];
  return Buffer.from(`${lines.join('\n')}\n`).toString('base64');
}

const started = {
  level: 'INFO',
  message: 'job started',
  timestamp: '2026-11-28T12:00:00.100Z',
  service: 'location-maintenance-jobs',
  cold_start: true,
  function_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:x',
  job: 'location-cleanup',
  runId: 'r-1',
  trigger: 'manual',
  dryRun: false,
};
/** A response payload as the SDK gives it. */
const payload = (text: string) => new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];

/** `run <job> --aws`, as parsed. */
const runCommand = (dryRun: boolean, json: boolean) => ({
  name: 'run' as const,
  job: 'location-cleanup',
  dryRun,
  json,
  db: { migrate: false, seed: false, partitioned: false },
  metrics: false,
});

const record = finished('location-cleanup', '2026-11-28T12:00:00.100Z', {
  trigger: 'manual',
  runId: 'r-1',
});
const finishedLine = {
  level: 'INFO',
  message: 'job finished',
  timestamp: '2026-11-28T12:00:00.912Z',
  ...record,
};

describe('run --aws', () => {
  const mocks = useDeployedStack();

  it('invokes the function once, synchronously, and prints its JSON log lines as Lambda wrote them', async () => {
    // Prepare
    mocks.lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload(JSON.stringify(record)),
      LogResult: tail(started, finishedLine),
    });

    // Act
    const { code, stdout } = await run(runCommand(true, true));

    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([JSON.stringify(started), JSON.stringify(finishedLine)]);
    const calls = mocks.lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      FunctionName: cleanup.functionName,
      InvocationType: 'RequestResponse',
      LogType: 'Tail',
    });
    expect(new TextDecoder().decode(input?.Payload as Uint8Array)).toBe('{"dryRun":true}');
  });

  it('on a terminal: the lines for people, as a local run prints them', async () => {
    // Prepare
    mocks.lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, LogResult: tail(started, finishedLine) });

    // Act
    const { stdout } = await run(runCommand(false, false), {
      isTerminal: true,
    });

    // Assess
    const lines = stdout.split('\n').map((line) => line.split(/ {2,}/));
    expect(lines).toEqual([
      ['12:00:00', 'location-cleanup', 'started', 'manual run'],
      ['12:00:00', 'location-cleanup', 'succeeded', '812 ms', 'deleted 100,356 rows in 11 batches'],
    ]);
  });

  it('a failed run: its error from the log tail, exit 1', async () => {
    // Prepare
    const failedLine = {
      ...finishedLine,
      level: 'ERROR',
      outcome: 'failed',
      result: undefined,
      error: {
        name: 'ConfigError',
        message: 'LOCATION_RETENTION_DAYS must be a whole number from 1 to 3650, got "0"',
      },
    };
    mocks.lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload(
        JSON.stringify({
          errorType: 'JobFailedError',
          errorMessage: 'location-cleanup failed: ConfigError: ...',
        }),
      ),
      LogResult: tail(started, failedLine),
    });

    // Act
    const { code, stdout } = await run(runCommand(false, false), {
      isTerminal: true,
    });

    // Assess
    expect(code).toBe(1);
    expect(stdout.split('\n')[1]?.split(/ {2,}/).slice(2)).toEqual([
      'failed',
      '812 ms',
      'ConfigError: LOCATION_RETENTION_DAYS must be a whole number from 1 to 3650, got "0"',
    ]);
  });

  it('when the 4 KB tail lost the finished line: the returned record, or Lambda’s error', async () => {
    // Prepare
    mocks.lambda
      .on(InvokeCommand)
      .resolvesOnce({
        StatusCode: 200,
        Payload: payload(JSON.stringify(record)),
        LogResult: tail(),
      })
      .resolves({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: payload(
          JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: 'exited' }),
        ),
        LogResult: tail(),
      });

    // Act
    const returned = await run(runCommand(false, false), { isTerminal: true });
    const crashed = await run(runCommand(false, false), { isTerminal: true });

    // Assess
    expect(returned.stdout).toContain('succeeded  812 ms  deleted 100,356 rows in 11 batches');
    expect(crashed.code).toBe(1);
    expect(crashed.stdout).toBe('error: the function failed: Runtime.ExitError: exited');
  });

  it('throttled because a run is in progress: a clear line, exit 1, and no second invoke', async () => {
    // Prepare
    mocks.lambda.on(InvokeCommand).rejects(
      awsError('TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      }),
    );

    // Act
    const failure = run(runCommand(false, false));

    // Assess
    await expect(failure).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /^location-cleanup is running in AWS already .*not retried: try again once it has finished/,
      ),
    });
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    // and the client itself never retries an invoke
    expect(await createAwsClients('eu-west-1').lambda.config.maxAttempts()).toBe(1);
  });

  it('access denied to the function: one line, exit 1', async () => {
    // Prepare
    mocks.lambda
      .on(InvokeCommand)
      .rejects(
        awsError('AccessDeniedException', 'not authorized to perform: lambda:InvokeFunction'),
      );

    // Act, Assess
    await expect(run(runCommand(false, false))).rejects.toMatchObject({
      exitCode: 1,
      message: `access denied invoking ${cleanup.functionName}: not authorized to perform: lambda:InvokeFunction`,
    });
  });
});
