import { randomUUID } from 'node:crypto';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { schedulerInput } from '../functions/lambda/scheduler-input.js';
import { TriggerKind } from '../functions/schedule/schedule.js';

/**
 * What the job's AWS trigger would send for a fire at `time`: a rule's Scheduled Event for a
 * UTC job, the Scheduler schedule's target input for a zoned (or flexible) one. Local runs
 * then go through the same validation path as the cloud's.
 */
export function triggerPayloadFor(entry: CatalogueEntry, time: number): object {
  return entry.schedule.triggerKind === TriggerKind.SchedulerSchedule
    ? schedulerInputFor(entry, time)
    : scheduledEventFor(entry, time);
}

/** The input the stack's Scheduler schedule sends, filled in as Scheduler would (attempt 1). */
function schedulerInputFor(entry: CatalogueEntry, time: number) {
  return schedulerInput({
    scheduleArn: `arn:aws:scheduler:local:000000000000:schedule/default/${entry.name}`,
    scheduledTime: wholeSecondIso(time),
    executionId: randomUUID().replaceAll('-', '').slice(0, 16),
    attemptNumber: '1',
  });
}

/** An EventBridge Scheduled Event for a fire at `time`, as the cloud rule would send it. */
function scheduledEventFor(entry: CatalogueEntry, time: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: wholeSecondIso(time),
    region: 'local',
    resources: [`arn:aws:events:local:000000000000:rule/${entry.name}`],
    detail: {},
  };
}

/** `time` as EventBridge and Scheduler give it: whole seconds, no fraction (`...T01:30:00Z`). */
function wholeSecondIso(time: number): string {
  return new Date(Math.floor(time / 1_000) * 1_000).toISOString().replace('.000Z', 'Z');
}
