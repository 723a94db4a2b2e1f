import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { DeployedJob } from '../../functions/catalogue/stack-outputs.js';
import { AwsCommandError, explainAwsError } from './aws-errors.js';

/** What a synchronous invoke of a job's function came back with. */
export interface InvokeOutcome {
  /** The function's log lines in the invoke's log tail (Lambda returns the last 4 KB). */
  readonly logLines: readonly string[];
  /**
   * The run's record: the response when the run ended well (the handler returns it).
   * @default - none: the run failed (its record is then in the tail's `job finished` line)
   */
  readonly record?: Readonly<Record<string, unknown>>;
  /**
   * Lambda's report of a failed invocation (`errorType`, `errorMessage`).
   * @default - none: the function returned
   */
  readonly functionError?: { readonly type: string; readonly message: string };
}

/**
 * Invokes the job's function once and waits for the run (`{}`, or `{"dryRun": true}`), with
 * its log tail. Never retried (see `createAwsClients`).
 *
 * @throws {AwsCommandError} when Lambda refuses the invoke: throttled because a run is in
 *   progress (reserved concurrency 1), access denied, no such function.
 */
export async function invokeJob(
  lambda: LambdaClient,
  job: DeployedJob,
  dryRun: boolean,
): Promise<InvokeOutcome> {
  let response: InvokeCommandOutput;
  try {
    response = await lambda.send(
      new InvokeCommand({
        FunctionName: job.functionName,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: new TextEncoder().encode(JSON.stringify(dryRun ? { dryRun: true } : {})),
      }),
    );
  } catch (error) {
    throw invokeError(error, job);
  }
  const logLines = response.LogResult
    ? Buffer.from(response.LogResult, 'base64').toString('utf8').split('\n')
    : [];
  const payload = parse(response.Payload ? new TextDecoder().decode(response.Payload) : '');
  if (response.FunctionError) {
    return {
      logLines,
      functionError: {
        type: String(payload?.errorType ?? response.FunctionError),
        message: String(payload?.errorMessage ?? ''),
      },
    };
  }
  return { logLines, ...(payload ? { record: payload } : {}) };
}

function invokeError(error: unknown, job: DeployedJob): AwsCommandError {
  const { name, Reason } = (error ?? {}) as { name?: string; Reason?: string };
  if (name === 'TooManyRequestsException') {
    const inProgress = Reason === 'ReservedFunctionConcurrentInvocationLimitExceeded';
    return new AwsCommandError(
      inProgress
        ? `${job.job} is running in AWS already (its reserved concurrency is 1, so Lambda throttled this invoke); not retried: try again once it has finished (npm run jobs -- history ${job.job} --aws)`
        : `Lambda throttled the invoke of ${job.job} (${Reason ?? 'rate or concurrency limit'}); not retried: try again in a moment`,
      1,
      { cause: error },
    );
  }
  return explainAwsError(error, `invoking ${job.functionName}`);
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
