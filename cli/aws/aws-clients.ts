import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';

/** The AWS SDK v3 clients the `--aws` commands use. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly eventBridge: EventBridgeClient;
  readonly scheduler: SchedulerClient;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly lambda: LambdaClient;
}

/** The longest a synchronous invoke can take: Lambda's 15-minute timeout, and some slack. */
const invokeTimeoutMs = 16 * 60_000;

/**
 * Clients for `region` (default: the AWS configuration's), with the usual credential chain.
 * The Lambda client never retries: a retried synchronous invoke would run the job again
 * (and one throttled because a run is in progress should be reported, not repeated); it
 * waits as long as a run can last.
 */
export function createAwsClients(region?: string): AwsClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    eventBridge: new EventBridgeClient(config),
    scheduler: new SchedulerClient(config),
    cloudWatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    lambda: new LambdaClient({
      ...config,
      maxAttempts: 1,
      requestHandler: { requestTimeout: invokeTimeoutMs },
    }),
  };
}
