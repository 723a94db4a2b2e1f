import { ConfigurationFault } from '../errors.js';
import {
  boolean,
  type Issue,
  isoDateTime,
  literal,
  matching,
  optional,
  strictObject,
  string,
  stringArray,
} from './event-checks.js';
import { schedulerInputSource } from './scheduler-input.js';

// Checked by hand (event-checks.ts) rather than with a schema library: these three small
// shapes are all there is to check, and a library's code, loaded at every cold start, took
// a sixth of the bare handler's import time on Node 24. The messages are zod's (which checked
// these before) word for word.

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
const checkScheduledEvent = strictObject({
  version: string(),
  id: string(),
  source: literal('aws.events'),
  account: string(),
  time: isoDateTime(),
  region: string(),
  resources: stringArray(),
  'detail-type': literal('Scheduled Event'),
  detail: strictObject({}, { error: `must be {}: ${noOptions}` }),
  'replay-name': optional(string()),
});

interface ScheduledEvent {
  readonly id: string;
  readonly time: string;
}

/** The input the stack's EventBridge Scheduler schedules send (see scheduler-input.ts). */
const checkSchedulerInput = strictObject({
  source: literal(schedulerInputSource),
  scheduleArn: matching(
    /^arn:aws[\w-]*:scheduler:[\w-]+:\d{12}:schedule\/[\w.-]+\/[\w.-]+$/,
    'must be a schedule ARN (arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>)',
  ),
  scheduledTime: isoDateTime({
    offset: true,
    error: 'must be an ISO 8601 date-time, as Scheduler fills in <aws.scheduler.scheduled-time>',
  }),
  executionId: matching(
    /^[\w-]+$/,
    'must be the id Scheduler fills in for <aws.scheduler.execution-id>',
  ),
  attemptNumber: matching(
    /^[1-9]\d*$/,
    'must be a whole number from 1, as in <aws.scheduler.attempt-number>',
  ),
});

interface SchedulerInput {
  readonly scheduleArn: string;
  readonly scheduledTime: string;
  readonly executionId: string;
  readonly attemptNumber: string;
}

/** A manual invocation: `{}`, or `{ "dryRun": true }` to count without changing anything. */
const checkManualEvent = strictObject({ dryRun: optional(boolean()) });

interface ManualEvent {
  readonly dryRun?: boolean;
}

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
    const input = parse<SchedulerInput>(
      checkSchedulerInput,
      event,
      'the EventBridge Scheduler input',
      noOptions,
    );
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
    const scheduled = parse<ScheduledEvent>(
      checkScheduledEvent,
      event,
      'the EventBridge event',
      noOptions,
    );
    return {
      trigger: 'schedule',
      scheduledTime: new Date(scheduled.time),
      details: { eventId: scheduled.id },
      dryRun: false,
    };
  }
  const manual = parse<ManualEvent>(
    checkManualEvent,
    event,
    'the manual event',
    'expected only "dryRun"',
  );
  return { trigger: 'manual', dryRun: manual.dryRun ?? false };
}

/**
 * The event as `T`, once `check` finds nothing wrong with it.
 *
 * @param unknownKeys - why keys the check does not know are refused
 */
function parse<T>(
  check: (value: unknown) => Issue[],
  event: object,
  what: string,
  unknownKeys: string,
): T {
  const found = check(event);
  if (found.length > 0) {
    throw new InvalidEventError(`${expected}; ${what} is invalid: ${issues(found, unknownKeys)}`);
  }
  return event as T;
}

function issues(found: readonly Issue[], unknownKeys: string): string {
  return found
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(event)';
      if (issue.unknownKeys) {
        const keys = issue.unknownKeys.map((key) => JSON.stringify(key)).join(', ');
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
