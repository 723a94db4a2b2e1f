import type { AwsCron } from './aws-cron.js';
import type { TimeZone } from './time-zone.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * An AWS cron expression read in a time zone, with EventBridge Scheduler's documented rules
 * for daylight saving time ("Schedule types", daylight saving time):
 * - a wall-clock time that does not exist when clocks go forward is not run that day;
 * - a wall-clock time that occurs twice when clocks go back runs once, at its first
 *   occurrence (in the offset that was in force before the change).
 *
 * Every wall-clock time the expression names follows these two rules, hourly and
 * every-15-minutes expressions included: in the hour that is repeated, their fires have all
 * happened already (the first time round) and are not repeated; in the hour that is skipped,
 * there is nothing to run.
 */
export class ZonedCron {
  readonly #cron: AwsCron;
  readonly #zone: TimeZone;

  constructor(cron: AwsCron, zone: TimeZone) {
    this.#cron = cron;
    this.#zone = zone;
  }

  /**
   * The first fire strictly after `afterMs` (epoch ms), or `undefined` when the year field
   * allows no later fire.
   */
  next(afterMs: number): number | undefined {
    // A wall-clock time earlier than the one at `afterMs` has either happened before it or
    // never exists (skipped), so the search starts at the wall-clock time at `afterMs`.
    for (
      let wall = this.#cron.next(this.#zone.wallTime(afterMs));
      wall !== undefined;
      wall = this.#cron.next(wall)
    ) {
      const [first] = this.#zone.instantsOf(wall);
      // undefined: skipped as clocks went forward. `first <= afterMs`: the second pass of a
      // repeated hour, and this time already ran on the first.
      if (first !== undefined && first > afterMs) return first;
    }
    return undefined;
  }

  /**
   * The longest interval between consecutive fires, in real time. Away from the zone's
   * offset changes the fires are the wall-clock fires, so the longest wall-clock gap bounds
   * them; across each change from 1970 to the expression's last year, the gap is computed
   * from the fires themselves (a skipped daily time makes a gap of about two days; a
   * repeated hour lengthens an hourly gap to two hours).
   */
  longestGapMs(): number {
    const wallLongest = this.#cron.longestGapMs();
    if (!Number.isFinite(wallLongest) || this.#zone.isUtc) return wallLongest;
    const { first, last } = this.#cron.yearRange;
    const from = Date.UTC(first, 0, 1) - DAY_MS;
    const to = Date.UTC(last + 1, 0, 1) + DAY_MS;
    // A fire lies in any span of two wall-clock gaps plus a change of offset.
    const lookBack = 2 * wallLongest + 2 * HOUR_MS;
    let longest = wallLongest;
    for (const change of this.#zone.transitions(from, to)) {
      let previous: number | undefined;
      let fire = this.next(change - lookBack);
      while (fire !== undefined && fire <= change) {
        previous = fire;
        fire = this.next(fire);
      }
      if (previous !== undefined && fire !== undefined) {
        longest = Math.max(longest, fire - previous);
      }
    }
    return longest;
  }
}
