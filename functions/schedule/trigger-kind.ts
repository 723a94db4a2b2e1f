/**
 * What fires a job in AWS. EventBridge rules read cron expressions in UTC only; a schedule
 * with a time zone (or a flexible window) needs EventBridge Scheduler. The local harness
 * sends each job the payload its AWS trigger sends.
 */
export const TriggerKind = {
  /** An EventBridge rule; the handler gets a Scheduled Event. */
  Rule: 'eventbridge-rule',
  /** An EventBridge Scheduler schedule; the handler gets the schedule's target input. */
  SchedulerSchedule: 'eventbridge-scheduler',
} as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];
