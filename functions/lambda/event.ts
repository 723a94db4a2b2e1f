import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/** An EventBridge schedule's event, as AWS documents it. */
const ScheduledEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

/** A manual invocation: `{}`, or `{ "dryRun": true }` to count without changing anything. */
const ManualEventSchema = z.strictObject({ dryRun: z.boolean().optional() });

/** What an accepted event asks for. */
export type JobInvocation =
  | {
      readonly trigger: 'schedule';
      readonly scheduledTime: Date;
      readonly eventId: string;
      readonly dryRun: false;
    }
  | { readonly trigger: 'manual'; readonly dryRun: boolean };

/** The event is neither an EventBridge Scheduled Event nor a manual `{}`. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

const expected =
  'expected an EventBridge Scheduled Event (source "aws.events", detail-type "Scheduled Event") ' +
  'or {} for a manual run (optionally {"dryRun": true})';

/**
 * Validates a job's event before any work is done.
 *
 * @throws {InvalidEventError} saying what was expected and what was wrong.
 */
export function parseJobEvent(event: unknown): JobInvocation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`${expected}; got ${describeType(event)}`);
  }
  if ('source' in event || 'detail-type' in event) {
    const scheduled = ScheduledEventSchema.safeParse(event);
    if (!scheduled.success) {
      throw new InvalidEventError(
        `${expected}; the EventBridge event is invalid: ${issues(scheduled.error)}`,
      );
    }
    return {
      trigger: 'schedule',
      scheduledTime: new Date(scheduled.data.time),
      eventId: scheduled.data.id,
      dryRun: false,
    };
  }
  const manual = ManualEventSchema.safeParse(event);
  if (!manual.success) {
    throw new InvalidEventError(
      `${expected}; the manual event is invalid: ${issues(manual.error)}`,
    );
  }
  return { trigger: 'manual', dryRun: manual.data.dryRun ?? false };
}

function issues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(event)'}: ${issue.message}`)
    .join('; ');
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
