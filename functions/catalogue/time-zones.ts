import { jsonSetting } from '../config/json-setting.js';
import { type CatalogueEntry, CatalogueError, checkTimeZone } from './job-spec.js';

/** Time zones by job name, set by a deployment: `{"idempotency-key-purge": "Europe/Bratislava"}`. */
export type JobTimeZones = Readonly<Record<string, string>>;

/**
 * The catalogue with some jobs' schedules read in another time zone (CDK context
 * `jobTimeZones`, which the local harness reads from cdk.json too). Jobs not named keep
 * their catalogue zone.
 *
 * @throws {CatalogueError} naming the job when it is not catalogued or the zone is unknown.
 */
export function withTimeZones(
  entries: readonly CatalogueEntry[],
  zones: JobTimeZones = {},
): readonly CatalogueEntry[] {
  const unknown = Object.keys(zones).filter(
    (name) => !entries.some((entry) => entry.name === name),
  );
  if (unknown.length > 0) {
    throw new CatalogueError(
      `time zone set for ${unknown.map((name) => `"${name}"`).join(', ')}, which the catalogue does not have (jobs: ${entries.map((entry) => entry.name).join(', ')})`,
    );
  }
  return entries.map((entry) => {
    const timeZone = zones[entry.name];
    if (timeZone === undefined || timeZone === entry.schedule.timeZone) return entry;
    const schedule = checkTimeZone(`job "${entry.name}"`, entry.schedule.inTimeZone(timeZone));
    return Object.freeze({ ...entry, schedule });
  });
}

/**
 * Reads a `jobTimeZones` value: an object, or its JSON text, mapping job names to zone names.
 *
 * @throws {TypeError} saying what shape was expected.
 */
export function parseJobTimeZones(raw: unknown): JobTimeZones | undefined {
  const value = jsonSetting(raw, '{"<job>": "<IANA time zone>"}');
  if (value === undefined) return undefined;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((zone) => typeof zone === 'string');
  if (!valid) throw new TypeError('must map job names to time zone names: {"<job>": "<zone>"}');
  return value as JobTimeZones;
}
