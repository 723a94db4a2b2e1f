/**
 * What partition upkeep did, in a few words for a run's summary line: the partitions made ahead
 * (or, in a dry run, to make), those not made, and the rows waiting in the DEFAULT partition.
 */
import { formatCount } from './format-values.js';

/** The parts of a result's `partitions` that upkeep fills (see functions/retention/result.ts). */
interface UpkeepFields {
  readonly premake?: {
    readonly made?: readonly unknown[];
    readonly wouldMake?: readonly unknown[];
    readonly notMade?: readonly unknown[];
    readonly skipped?: string;
  };
  readonly defaultPartition?: {
    readonly partition?: string;
    readonly rows?: number | null;
    readonly atLeast?: boolean;
    readonly notCounted?: string;
  };
}

/**
 * `2 partitions made ahead`, `would make 4 partitions ahead`, `1 coming partition not made`,
 * `3 rows wait in the DEFAULT partition public.locations_default`; nothing when there is nothing
 * to say.
 */
export function upkeepNotes(partitions: unknown): string[] {
  if (typeof partitions !== 'object' || partitions === null) return [];
  const { premake, defaultPartition } = partitions as UpkeepFields;
  const notes: string[] = [];
  const count = (list: readonly unknown[] | undefined) => list?.length ?? 0;
  const partitionsOf = (n: number) => `${formatCount(n)} ${n === 1 ? 'partition' : 'partitions'}`;
  if (count(premake?.made) > 0) notes.push(`${partitionsOf(count(premake?.made))} made ahead`);
  if (count(premake?.wouldMake) > 0) {
    notes.push(`would make ${partitionsOf(count(premake?.wouldMake))} ahead`);
  }
  if (count(premake?.notMade) > 0) {
    const n = count(premake?.notMade);
    notes.push(`${formatCount(n)} coming ${n === 1 ? 'partition' : 'partitions'} not made`);
  }
  if (premake?.skipped) notes.push('no partitions made ahead (see the warning)');
  const rows = defaultPartition?.rows;
  if (typeof rows === 'number' && rows > 0) {
    const atLeast = defaultPartition?.atLeast ? 'at least ' : '';
    notes.push(
      `${atLeast}${formatCount(rows)} ${rows === 1 ? 'row waits' : 'rows wait'} in the DEFAULT partition ${defaultPartition?.partition}`,
    );
  } else if (defaultPartition?.notCounted) {
    notes.push(`DEFAULT partition ${defaultPartition.partition} not counted`);
  }
  return notes;
}
