/** The `--aws` commands: `run`, `history`, `status`, `pause` and `resume` on the deployed stack. */

import { setTimeout as wait } from 'node:timers/promises';
import { ExitCode } from '../../functions/errors.js';
import { HarnessLog, JobLog, type MessageLogger } from '../../functions/log-messages.js';
import { jsonLines } from '../../harness/output/format-values.js';
import { chooseOutputMode, humanLine, OutputMode } from '../../harness/output/output-mode.js';
import type { AwsTarget, Command } from '../cli-args.js';
import { formatHistory } from '../commands/history.js';
import { type AwsClients, createAwsClients } from './aws-clients.js';
import { awsStatus, formatAwsStatus } from './aws-status.js';
import { deployedJob, readDeployedStack } from './deployed-stack.js';
import { type InvokeOutcome, invokeJob } from './invoke-job.js';
import { setJobPaused } from './pause-job.js';
import { queryRecentRuns } from './recent-runs.js';

/** A command that goes to AWS. */
export type AwsCommand = Extract<Command, { aws?: AwsTarget }> & { readonly aws: AwsTarget };

/** What the `--aws` commands work with. */
export interface AwsCommandDependencies {
  /** Writes the command's output, a line (or lines), to stdout. */
  readonly print: (text: string) => void;
  /** Where diagnostics go (the CLI writes them to stderr, a line for people each). */
  readonly logger: MessageLogger;
  /** Whether stdout is a terminal (human lines) or not (JSON lines). */
  readonly isTerminal: boolean;
  /**
   * The AWS clients.
   * @default - createAwsClients(command.aws.region)
   */
  readonly clients?: AwsClients;
  /**
   * The time now, epoch ms.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Waits between two looks at a Logs Insights query.
   * @default - a real timer
   */
  readonly delay?: (ms: number) => Promise<void>;
  /**
   * The width of the job column in human lines.
   * @default - the longest name of the stack's jobs
   */
  readonly jobWidth?: number;
}

/**
 * Runs an `--aws` command; resolves with the exit code. Errors of AWS (no credentials, no
 * stack, access denied) are thrown as `AwsCommandError`s, one line each.
 */
export async function runAwsCommand(
  command: AwsCommand,
  deps: AwsCommandDependencies,
): Promise<number> {
  const clients = deps.clients ?? createAwsClients(command.aws.region);
  const now = (deps.now ?? Date.now)();
  const polling = { delay: deps.delay ?? ((ms: number) => wait(ms).then(() => undefined)) };
  const stack = await readDeployedStack(clients.cloudFormation, command.aws.stackName);
  switch (command.name) {
    case 'run': {
      const job = deployedJob(stack, command.job);
      const outcome = await invokeJob(clients.lambda, job, command.dryRun);
      const mode = chooseOutputMode(command.json, { isTTY: deps.isTerminal });
      const jobWidth = deps.jobWidth ?? Math.max(...stack.jobs.map((each) => each.job.length));
      for (const line of runLines(outcome, mode, jobWidth)) deps.print(line);
      return outcome.functionError ? ExitCode.Failed : ExitCode.Ok;
    }
    case 'history': {
      const jobs = command.job ? [deployedJob(stack, command.job)] : stack.jobs;
      const runs = await queryRecentRuns(
        clients.logs,
        { logGroupNames: jobs.map((job) => job.logGroupName), limit: command.limit, now },
        polling,
      );
      deps.print(command.json ? jsonLines(runs) : formatHistory(runs));
      return ExitCode.Ok;
    }
    case 'status': {
      const statuses = await awsStatus(clients, stack, now, polling);
      deps.print(command.json ? jsonLines(statuses) : formatAwsStatus(statuses, now));
      return ExitCode.Ok;
    }
    case 'pause':
    case 'resume': {
      const report = await setJobPaused(clients, stack, command.job, command.name === 'pause');
      deps.print(report.done);
      deps.logger.warn(HarnessLog.TriggerChangedByHand, report.untilDeploy);
      return ExitCode.Ok;
    }
  }
}

/**
 * The run's lines as `run` prints them locally: the function's JSON log lines from the log
 * tail (as Lambda wrote them, or one line each for people); the returned record when the
 * tail (its last 4 KB) lost the `job finished` line; Lambda's error when there is neither.
 */
function runLines(outcome: InvokeOutcome, mode: OutputMode, jobWidth: number): string[] {
  const lines = outcome.logLines.filter((line) => line.startsWith('{'));
  const finished = lines.some((line) => line.includes(`"message":"${JobLog.JobFinished}"`));
  const all = [...lines];
  if (!finished && outcome.record) {
    all.push(
      JSON.stringify({
        message: JobLog.JobFinished,
        timestamp: outcome.record.endedAt,
        ...outcome.record,
      }),
    );
  }
  const printed =
    mode === OutputMode.Json ? all : all.flatMap((line) => humanLine(line, { jobWidth }) ?? []);
  if (!finished && !outcome.record && outcome.functionError) {
    printed.push(
      `error: the function failed: ${outcome.functionError.type}: ${outcome.functionError.message}`,
    );
  }
  return printed;
}
