/**
 * The input an EventBridge Scheduler schedule sends a job's function: Scheduler invokes the
 * target with its `input` as it is (no EventBridge envelope), so the stack builds one from
 * Scheduler's context attributes, which Scheduler fills in on every invocation
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
 * The stack passes the placeholders; the local harness passes values; the handler validates
 * the result (`parseJobEvent`).
 */

/** Marks the input as Scheduler's, as `aws.events` marks an EventBridge event. */
export const schedulerInputSource = 'aws.scheduler';

/** Scheduler's context attributes, as placeholders (`<aws.scheduler.scheduled-time>`) or values. */
export interface SchedulerAttributes {
  /** The schedule's ARN. */
  readonly scheduleArn: string;
  /** The time the invocation was scheduled for, e.g. `2027-03-29T01:30:00Z`. */
  readonly scheduledTime: string;
  /** Unique per attempted invocation, e.g. `d32c5kddcf5bb8c3`. */
  readonly executionId: string;
  /** Which attempt this is, from `1`, as text (Scheduler substitutes inside a JSON string). */
  readonly attemptNumber: string;
}

/** The input object: `{"source": "aws.scheduler", "scheduleArn": ..., ...}`. */
export function schedulerInput(attributes: SchedulerAttributes) {
  return {
    source: schedulerInputSource,
    scheduleArn: attributes.scheduleArn,
    scheduledTime: attributes.scheduledTime,
    executionId: attributes.executionId,
    attemptNumber: attributes.attemptNumber,
  };
}
