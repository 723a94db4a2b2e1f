import { describe, expect, it } from 'vitest';
import { surelyCovered } from '../../../functions/retention/partition-coverage.js';
import type {
  PartitionLayout,
  PartitionRange,
} from '../../../functions/retention/partition-layout.js';

/** A layout with these ranges (`[from, to]`, as PostgreSQL prints them in UTC). */
function layout(
  ranges: readonly (readonly [string | null, string | null])[],
  cast: PartitionLayout['cast'] = 'timestamptz',
): PartitionLayout {
  return {
    parent: {
      oid: 1,
      name: 'public.locations',
      quotedName: '"public"."locations"',
      schema: 'public',
      relname: 'locations',
      quotedSchema: '"public"',
    },
    quotedColumn: '"created_at"',
    cast,
    ranges: ranges.map(([from, to], index): PartitionRange => ({ relname: `p${index}`, from, to })),
    subPartitioned: [],
    storage: new Map(),
    owner: { role: 'app', currentRole: 'app', canActAs: true, createsInSchema: true },
    now: '2026-10-29 10:15:00+00',
  };
}

/** Day partitions from `first` for `count` days, cut at midnight UTC. */
function days(first: string, count: number): [string, string][] {
  return Array.from({ length: count }, (_, index) => {
    const from = new Date(Date.parse(`${first}T00:00:00Z`) + index * 86_400_000);
    const to = new Date(from.getTime() + 86_400_000);
    const text = (date: Date) => `${date.toISOString().slice(0, 10)} 00:00:00+00`;
    return [text(from), text(to)];
  });
}

describe('surelyCovered: the steady run told from the bounds alone', () => {
  it('is sure when today and the 4 days after it have partitions, at any hour of the day', () => {
    const covered = layout(days('2026-10-27', 7)); // Oct 27 .. Nov 2
    expect(surelyCovered(covered, '2026-10-29 00:00:00+00', 4)).toBe(true);
    expect(surelyCovered(covered, '2026-10-29 23:59:59.999999+00', 4)).toBe(true);
    expect(surelyCovered(covered, '2026-10-29T10:15:00Z', 4)).toBe(true);
  });

  it('is not sure when the last coming day is missing, or one in between', () => {
    expect(surelyCovered(layout(days('2026-10-27', 6)), '2026-10-29 10:15:00+00', 4)).toBe(false);
    const gap = days('2026-10-27', 7).filter(([from]) => !from.startsWith('2026-10-31'));
    expect(surelyCovered(layout(gap), '2026-10-29 10:15:00+00', 4)).toBe(false);
  });

  it('is not sure when today has no partition, even with later ones', () => {
    const later = days('2026-10-30', 10);
    expect(surelyCovered(layout(later), '2026-10-29 10:15:00+00', 4)).toBe(false);
  });

  it('counts a month as 31 days: sure mid-month, not at its end, where the plan decides', () => {
    const months = [
      ['2026-10-01 00:00:00+00', '2026-11-01 00:00:00+00'],
      ['2026-11-01 00:00:00+00', '2026-12-01 00:00:00+00'],
      ['2026-12-01 00:00:00+00', '2027-01-01 00:00:00+00'],
      ['2027-01-01 00:00:00+00', '2027-02-01 00:00:00+00'],
      ['2027-02-01 00:00:00+00', '2027-03-01 00:00:00+00'],
    ] as const;
    expect(surelyCovered(layout(months), '2026-10-15 00:00:00+00', 4)).toBe(true);
    expect(surelyCovered(layout(months), '2026-10-31 00:00:00+00', 4)).toBe(false);
  });

  it('counts a day not cut at midnight UTC as 26 hours', () => {
    // Local days in Bratislava (+01), through Nov 2 (23:00 UTC): sure 4 days ahead of Oct 29 at
    // noon, not at 20:00 (4 × 26 hours then reach past Nov 2's end, though 4 × 24 would not)
    const local = Array.from({ length: 7 }, (_, index): [string, string] => {
      const at = (day: number) =>
        `${new Date(Date.parse('2026-10-26T23:00:00Z') + day * 86_400_000).toISOString().slice(0, 10)} 23:00:00+00`;
      return [at(index), at(index + 1)];
    });
    expect(surelyCovered(layout(local), '2026-10-29 12:00:00+00', 4)).toBe(true);
    expect(surelyCovered(layout(local), '2026-10-29 20:00:00+00', 4)).toBe(false);
  });

  it('leaves a timestamp column, an unbounded partition or a bound it cannot read to the plan', () => {
    const covered = days('2026-10-27', 7);
    expect(surelyCovered(layout(covered, 'timestamp'), '2026-10-29 10:15:00', 4)).toBe(false);
    expect(
      surelyCovered(
        layout([...covered, ['2026-11-03 00:00:00+00', null]]),
        '2026-10-29 10:15:00+00',
        4,
      ),
    ).toBe(false);
    expect(
      surelyCovered(
        layout([...covered, ['20000-01-01 00:00:00+00', '20000-01-02 00:00:00+00']]),
        '2026-10-29 10:15:00+00',
        4,
      ),
    ).toBe(false);
  });

  it('is sure of nothing with premake 0 but that the current period exists', () => {
    expect(surelyCovered(layout(days('2026-10-29', 1)), '2026-10-29 10:15:00+00', 0)).toBe(true);
    expect(surelyCovered(layout(days('2026-10-28', 1)), '2026-10-29 10:15:00+00', 0)).toBe(false);
  });
});
