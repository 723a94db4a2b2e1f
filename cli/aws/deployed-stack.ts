import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  type DeployedJob,
  readDeployedJobs,
  StackOutputError,
} from '../../functions/catalogue/stack-outputs.js';
import { AwsCommandError, explainAwsError } from './aws-errors.js';

/** A deployed stack, as its outputs describe it. */
export interface DeployedStack {
  readonly stackName: string;
  /** The jobs it deployed, as their outputs describe them. */
  readonly jobs: readonly DeployedJob[];
}

/**
 * Reads the stack's outputs.
 *
 * @throws {AwsCommandError} when the stack is not deployed (exit 2: another --stage or
 *   --region?), has no job outputs (deployed by an older version), or cannot be read.
 */
export async function readDeployedStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<DeployedStack> {
  const doing = `reading the stack ${stackName}`;
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    const { name, message } = error as { name?: string; message?: string };
    if (name === 'ValidationError' && /does not exist/.test(message ?? '')) {
      const region = await cloudFormation.config.region().catch(() => 'the configured region');
      throw new AwsCommandError(
        `the stack ${stackName} is not deployed in ${region}: deploy it (npx cdk deploy), or pick another --stage or --region`,
        2,
        { cause: error },
      );
    }
    throw explainAwsError(error, doing);
  }
  let jobs: DeployedJob[];
  try {
    jobs = readDeployedJobs(outputs);
  } catch (error) {
    if (error instanceof StackOutputError)
      throw new AwsCommandError(`${stackName}: ${error.message}`, 1);
    throw error;
  }
  if (jobs.length === 0) {
    throw new AwsCommandError(
      `the stack ${stackName} has no job outputs: it was deployed by an older version; deploy this one (npx cdk deploy)`,
      2,
    );
  }
  return { stackName, jobs };
}

/**
 * The deployed job named `job`.
 *
 * @throws {AwsCommandError} (exit 2) naming the jobs the stack has.
 */
export function deployedJob(stack: DeployedStack, job: string): DeployedJob {
  const found = stack.jobs.find((each) => each.job === job);
  if (!found) {
    throw new AwsCommandError(
      `the stack ${stack.stackName} has no job "${job}": it has ${stack.jobs.map((each) => each.job).join(', ')}`,
      2,
    );
  }
  return found;
}
