import { ConfigurationFault } from '../errors.js';
import { Schedule } from '../schedule/schedule.js';

/** One catalogue entry: what a job is and when it runs. No job logic lives here. */
export interface JobSpec {
  /**
   * Kebab-case, unique. Names the job's folder (`functions/jobs/<name>/`), its Lambda
   * function, its log lines (`job`) and its metrics dimension.
   */
  readonly name: string;
  /** One line for people: shown by `jobs list` and in the function's description. */
  readonly description: string;
  /**
   * When it runs: `Schedule.hourly({ minute })`, `Schedule.daily({ hour, minute })`,
   * `Schedule.expression('cron(...)')`, each optionally with a `timeZone` (IANA name; UTC by
   * default) and a `flexibleWindowMinutes`; or a raw AWS expression string in UTC
   * (`'cron(0/15 * * * ? *)'`, `'rate(6 hours)'`). Checked when the catalogue loads.
   */
  readonly schedule: Schedule | string;
  /** Lambda timeout in seconds, 1 to 900. The job's deadline falls shortly before it. */
  readonly timeoutSeconds: number;
  /**
   * Lambda memory in MiB, 128 to 10,240.
   * @default 256
   */
  readonly memoryMiB?: number;
  /**
   * `false` pauses the job without removing it: the stack deploys its trigger disabled and
   * its "no successful run" alarm off, and the local harness does not schedule it (a run by
   * hand still works). Context `pausedJobs` pauses a deployment's jobs the same way.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The job keeps a retention promise: it deletes expired rows and measures the oldest row it
   * leaves (the `OldestRowOverdue` metric, as the purge jobs do). The stack then gives it a
   * "retention breached" alarm, apart from the failure and silence alarms.
   * @default - none: the job measures no retention and gets no such alarm
   */
  readonly retention?: RetentionWatch;
}

/** How a job's retention promise is watched (see {@link JobSpec.retention}). */
export interface RetentionWatch {
  /**
   * How long, in minutes, the oldest row left may lie before the run's cutoff before the
   * "retention breached" alarm fires: a whole number from 1 to 43,200 (30 days). A row that
   * expires just after a run waits one period for the next; two periods leave room for one
   * run that was cut short or failed.
   * @default - two periods of the schedule (twice its longest gap between two starts)
   */
  readonly slackMinutes?: number;
}

/** A validated entry, with defaults applied (a retention's slack is resolved by `retentionSlackSeconds`, from the schedule a deployment's time zone may change). */
export type CatalogueEntry = Required<Omit<JobSpec, 'schedule' | 'retention'>> & {
  readonly schedule: Schedule;
  readonly retention?: RetentionWatch;
};

/** A catalogue entry is invalid; the message names the job. */
export class CatalogueError extends ConfigurationFault {
  override readonly name = 'CatalogueError';
}

const kebabCase = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Lambda function names are at most 64 characters; leave room for a stack prefix. */
const maxNameLength = 40;

/**
 * Validates the entries and applies defaults.
 *
 * @throws {CatalogueError} naming the job at fault: a bad or duplicate name, a timeout or
 *   memory out of range, a missing description or schedule.
 */
export function defineCatalogue(specs: readonly JobSpec[]): readonly CatalogueEntry[] {
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const label = `job ${JSON.stringify(spec.name ?? `#${index + 1}`)}`;
    if (typeof spec.name !== 'string' || !kebabCase.test(spec.name)) {
      throw new CatalogueError(`${label}: name must be kebab-case (e.g. "location-cleanup")`);
    }
    if (spec.name.length > maxNameLength) {
      throw new CatalogueError(`${label}: name must be at most ${maxNameLength} characters`);
    }
    if (seen.has(spec.name)) throw new CatalogueError(`${label}: the name is used twice`);
    seen.add(spec.name);
    if (!spec.description?.trim()) throw new CatalogueError(`${label}: description is empty`);
    const entry: CatalogueEntry = {
      memoryMiB: 256,
      enabled: true,
      ...spec,
      schedule: toSchedule(label, spec),
    };
    if (typeof entry.enabled !== 'boolean') {
      throw new CatalogueError(`${label}: enabled must be true or false`);
    }
    checkWhole(label, 'timeoutSeconds', entry.timeoutSeconds, 1, 900);
    checkWhole(label, 'memoryMiB', entry.memoryMiB, 128, 10_240);
    checkRetention(label, entry.retention);
    return Object.freeze(entry);
  });
}

function toSchedule(label: string, spec: JobSpec): Schedule {
  if (!(spec.schedule instanceof Schedule) && typeof spec.schedule !== 'string') {
    throw new CatalogueError(`${label}: schedule is missing`);
  }
  if (spec.schedule instanceof Schedule) return checkTimeZone(label, spec.schedule);
  try {
    return checkTimeZone(label, Schedule.expression(spec.schedule));
  } catch (error) {
    if (error instanceof CatalogueError) throw error;
    throw new CatalogueError(`${label}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Checks the schedule's time zone, which the `Schedule` factories leave to the catalogue so
 * that an unknown zone is reported with the job's name.
 *
 * @param label - `job "<name>"`, the message's prefix.
 * @throws {CatalogueError} when the platform does not know the zone.
 */
export function checkTimeZone(label: string, schedule: Schedule): Schedule {
  try {
    schedule.zone;
  } catch (error) {
    throw new CatalogueError(`${label}: ${(error as Error).message}`, { cause: error });
  }
  return schedule;
}

function checkRetention(label: string, retention: unknown): void {
  if (retention === undefined) return;
  if (typeof retention !== 'object' || retention === null || Array.isArray(retention)) {
    throw new CatalogueError(`${label}: retention must be an object, e.g. { slackMinutes: 120 }`);
  }
  const { slackMinutes } = retention as RetentionWatch;
  if (slackMinutes !== undefined)
    checkWhole(label, 'retention.slackMinutes', slackMinutes, 1, 43_200);
}

function checkWhole(label: string, field: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CatalogueError(
      `${label}: ${field} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
}
