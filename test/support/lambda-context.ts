import type { Clock } from '../../functions/clock.js';
import type { JobHandlerContext } from '../../functions/lambda/create-handler.js';

/**
 * A frozen Lambda context whose remaining time counts down on `clock` from `timeoutMs`.
 */
export function lambdaContext(
  clock: Clock,
  timeoutMs = 300_000,
  extra: Partial<JobHandlerContext> = {},
): JobHandlerContext {
  const start = clock.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/test-function',
    logStreamName: '2026/11/28/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => Math.max(0, start + timeoutMs - clock.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...extra,
  };
}

/**
 * The sample Scheduled Event from the AWS Lambda documentation
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html).
 */
export const sampleScheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
  detail: {},
} as const;

/** A Scheduled Event for a fire at `time`. */
export function scheduledEvent(time: Date) {
  return {
    ...sampleScheduledEvent,
    id: crypto.randomUUID(),
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
