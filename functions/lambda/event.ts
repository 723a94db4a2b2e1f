import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigurationFault } from '../errors.js';
import { schedulerInputSource } from './scheduler-input.js';

// zod/mini (not zod's classic API) keeps the bundles small: the classic schemas carry their
// JSON Schema converters along, a third of zod's size in the bundle. The English messages are
// registered once, for the fields that have no message of their own.
z.config(en());

/**
 * A scheduled run never takes options: what the handler would ignore must not be there, since
 * ignoring it would change what gets deleted (`"detail": {"dryRun": true}` deleting for real).
 */
const noOptions =
  'a scheduled run takes no options and is never a dry run (for a dry run, invoke with {"dryRun": true})';

/**
 * An EventBridge rule's Scheduled Event, as AWS documents it: the envelope's fields as
 * Powertools Parser's `EventBridgeSchema` has them (a test holds the two together), with
 * `source`, `detail-type` and an empty `detail` fixed, and nothing else.
 */
const ScheduledEventSchema = z.strictObject({
  version: z.string(),
  id: z.string(),
  source: z.literal('aws.events'),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.literal('Scheduled Event'),
  detail: z.strictObject({}, { error: `must be {}: ${noOptions}` }),
  'replay-name': z.optional(z.string()),
});

/** The input the stack's EventBridge Scheduler schedules send (see scheduler-input.ts). */
const SchedulerInputSchema = z.strictObject({
  source: z.literal(schedulerInputSource),
  scheduleArn: z
    .string()
    .check(
      z.regex(
        /^arn:aws[\w-]*:scheduler:[\w-]+:\d{12}:schedule\/[\w.-]+\/[\w.-]+$/,
        'must be a schedule ARN (arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>)',
      ),
    ),
  scheduledTime: z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 date-time, as Scheduler fills in <aws.scheduler.scheduled-time>',
  }),
  executionId: z
    .string()
    .check(
      z.regex(/^[\w-]+$/, 'must be the id Scheduler fills in for <aws.scheduler.execution-id>'),
    ),
  attemptNumber: z
    .string()
    .check(
      z.regex(/^[1-9]\d*$/, 'must be a whole number from 1, as in <aws.scheduler.attempt-number>'),
    ),
});

/** A manual invocation: `{}`, or `{ "dryRun": true }` to count without changing anything. */
const ManualEventSchema = z.strictObject({ dryRun: z.optional(z.boolean()) });

/** What an accepted event asks for. */
export type JobInvocation =
  | {
      readonly trigger: 'schedule';
      readonly scheduledTime: Date;
      /**
       * What identifies the invocation, for the `job started` line: `eventId` for a rule's
       * event; `executionId`, `attempt` and `scheduleArn` for Scheduler's.
       */
      readonly details: Readonly<Record<string, string | number>>;
      readonly dryRun: false;
    }
  | { readonly trigger: 'manual'; readonly dryRun: boolean };

/** The event is none of: a Scheduled Event, the Scheduler input, a manual `{}` (the invoker's fault). */
export class InvalidEventError extends ConfigurationFault {
  override readonly name = 'InvalidEventError';
}

const expected =
  'expected an EventBridge Scheduled Event (source "aws.events", detail-type "Scheduled Event"), ' +
  `the EventBridge Scheduler input (source "${schedulerInputSource}") ` +
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
  if ('source' in event && event.source === schedulerInputSource) {
    const input = parse(SchedulerInputSchema, event, 'the EventBridge Scheduler input', noOptions);
    return {
      trigger: 'schedule',
      scheduledTime: new Date(input.scheduledTime),
      details: {
        executionId: input.executionId,
        attempt: Number(input.attemptNumber),
        scheduleArn: input.scheduleArn,
      },
      dryRun: false,
    };
  }
  if ('source' in event || 'detail-type' in event) {
    const scheduled = parse(ScheduledEventSchema, event, 'the EventBridge event', noOptions);
    return {
      trigger: 'schedule',
      scheduledTime: new Date(scheduled.time),
      details: { eventId: scheduled.id },
      dryRun: false,
    };
  }
  const manual = parse(ManualEventSchema, event, 'the manual event', 'expected only "dryRun"');
  return { trigger: 'manual', dryRun: manual.dryRun ?? false };
}

/** @param unknownKeys - why keys the schema does not know are refused */
function parse<T>(schema: z.ZodMiniType<T>, event: object, what: string, unknownKeys: string): T {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(
      `${expected}; ${what} is invalid: ${issues(parsed.error, unknownKeys)}`,
    );
  }
  return parsed.data;
}

function issues(error: z.core.$ZodError, unknownKeys: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(event)';
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
        return `${path}: unknown key(s) ${keys}: ${unknownKeys}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
