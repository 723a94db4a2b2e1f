/**
 * What the deployed stack tells the operator CLI (`npm run jobs -- status --aws`, ...): its
 * name for a stage and one output per job describing that job's resources. The CDK stack
 * writes these outputs; the CLI reads them. Plain data: importing this loads no CDK code.
 */

/** The stack's name without a stage (today's name, kept as it is). */
const baseStackName = 'LocationMaintenanceJobs';

import { ConfigurationFault, MaintenanceError } from '../errors.js';

/** A stage name: lowercase letters, digits and hyphens, starting with a letter, at most 20. */
const stagePattern = /^[a-z][a-z0-9-]{0,19}$/;

/** A stage name is invalid. */
export class StageNameError extends ConfigurationFault {
  override readonly name = 'StageNameError';
}

/**
 * The stack of a stage: `LocationMaintenanceJobs` without one, `LocationMaintenanceJobs-staging`
 * for `staging`.
 *
 * @throws {StageNameError} for a name that is not lowercase letters, digits and hyphens.
 */
export function stackNameFor(stage?: string): string {
  if (stage === undefined || stage === '') return baseStackName;
  if (!stagePattern.test(stage)) {
    throw new StageNameError(
      `stage must be lowercase letters, digits and hyphens, starting with a letter, at most 20 characters; got ${JSON.stringify(stage)}`,
    );
  }
  return `${baseStackName}-${stage}`;
}

/** How a job is fired in AWS: an EventBridge rule (UTC cron) or an EventBridge Scheduler schedule. */
export type DeployedTrigger =
  | { readonly kind: 'rule'; readonly name: string }
  | { readonly kind: 'schedule'; readonly name: string; readonly group: string };

/** A deployed job's resources: the value (JSON) of its stack output. */
export interface DeployedJob {
  /** The catalogue name. */
  readonly job: string;
  /** The Lambda function's name. */
  readonly functionName: string;
  /** The function's log group. */
  readonly logGroupName: string;
  readonly trigger: DeployedTrigger;
  /** Whether the deploy left the trigger disabled (catalogue `enabled: false` or context `pausedJobs`). */
  readonly paused: boolean;
  /** The job's alarms by role. */
  readonly alarms: {
    readonly errors: string;
    readonly deadLetters: readonly string[];
    /**
     * "No successful run for two periods".
     * @default - none: the job runs too rarely for one
     */
    readonly noSuccessfulRun?: string;
    /**
     * "Retention breached": the oldest row left is past the retention plus the slack.
     * @default - none: the job keeps no retention promise (or the stack is older)
     */
    readonly retentionBreached?: string;
    /**
     * "Rows in the DEFAULT partition": rows that belong to a period stay there.
     * @default - none: the job keeps no retention promise (or the stack is older)
     */
    readonly defaultPartitionRows?: string;
  };
}

/** The prefix of every job's output key. */
const jobOutputPrefix = 'Job';

/**
 * The output key of a job: `Job` and the name in PascalCase with its hyphens kept as `X`
 * (an output key is alphanumeric): `location-cleanup` → `JobLocationXCleanup`. Distinct
 * names give distinct keys; the job's name is in the value too.
 */
export function jobOutputKey(job: string): string {
  return `${jobOutputPrefix}${job
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('X')}`;
}

/** A stack output that is not a job's, or is one this CLI cannot read. */
export class StackOutputError extends MaintenanceError {
  override readonly name = 'StackOutputError';
}

/**
 * The deployed jobs described by the stack's outputs (other outputs are ignored).
 *
 * @throws {StackOutputError} when a job output's value is not the JSON the stack writes.
 */
export function readDeployedJobs(
  outputs: readonly { readonly OutputKey?: string; readonly OutputValue?: string }[],
): DeployedJob[] {
  return outputs
    .filter((output) => output.OutputKey?.startsWith(jobOutputPrefix))
    .map((output) => parseDeployedJob(output.OutputKey ?? '', output.OutputValue ?? ''));
}

function parseDeployedJob(key: string, value: string): DeployedJob {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new StackOutputError(`stack output ${key} is not JSON: ${value.slice(0, 80)}`);
  }
  const job = parsed as Partial<DeployedJob>;
  const trigger = job.trigger as Partial<DeployedTrigger> | undefined;
  const valid =
    typeof job.job === 'string' &&
    typeof job.functionName === 'string' &&
    typeof job.logGroupName === 'string' &&
    typeof job.paused === 'boolean' &&
    typeof job.alarms?.errors === 'string' &&
    Array.isArray(job.alarms.deadLetters) &&
    typeof trigger?.name === 'string' &&
    (trigger.kind === 'rule' ||
      (trigger.kind === 'schedule' && typeof (trigger as { group?: unknown }).group === 'string'));
  if (!valid) {
    throw new StackOutputError(
      `stack output ${key} does not describe a job (function, log group, trigger, alarms); was the stack deployed by another version?`,
    );
  }
  return job as DeployedJob;
}
