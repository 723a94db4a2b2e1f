/**
 * Which partitions the job's role may remove whole, and which it may read and delete directly,
 * decided from the catalog before any work (see privileges.ts), with the statements that would
 * let it do what it may not:
 *
 * - `DROP TABLE` of a partition needs its ownership (or its schema's);
 * - `ALTER TABLE parent DETACH PARTITION` needs the parent's ownership;
 * - both lock the parent first (`LOCK TABLE`, which `DELETE` on it allows), and the check before
 *   reads the partition directly (`SELECT` on it);
 * - batch-deleting a partition as a table of its own needs `SELECT, DELETE` on it: privileges
 *   on the parent cover rows reached through the parent only.
 *
 * Whatever the role may not reach directly is deleted through the parent.
 */
import type { ClientBase } from 'pg';
import type { PartitionRemoval } from './partition-removal.js';
import type { Partition, PartitionPlan } from './partitions.js';
import {
  grantRows,
  type RelationRights,
  type RightsOnRelations,
  readRights,
  transferOwnership,
} from './privileges.js';

/** What the job's role may do with a table's partitions. */
export interface PartitionAccess {
  /** The role, quoted (for the statements in warnings). */
  readonly quotedRole: string;
  /** The expired partitions it may remove whole (and check before), oldest first. */
  readonly removable: readonly Partition[];
  /** The expired partitions it may not remove whole. */
  readonly notRemovable: readonly Partition[];
  /** Whether it may batch-delete `partition` as a table of its own (a leaf it may read and delete). */
  direct(partition: Partition): boolean;
  /**
   * The statements that would let it remove `partitions` whole (`expired`) or batch-delete
   * them directly (`direct`), without duplicates.
   */
  fixes(partitions: readonly Partition[], purpose: 'expired' | 'direct'): string[];
}

/** Reads the role's rights on the plan's partitions and their parents: one catalog query. */
export async function readPartitionAccess(
  db: ClientBase,
  plan: PartitionPlan,
  removal: PartitionRemoval,
): Promise<PartitionAccess> {
  const partitions = [...plan.expired, ...plan.straddling];
  const oids = new Set(partitions.flatMap((partition) => [partition.oid, partition.parentOid]));
  return partitionAccess(await readRights(db, [...oids]), plan, removal);
}

/** Sorts the plan's partitions by what `found` says the role may do. */
export function partitionAccess(
  found: RightsOnRelations,
  plan: PartitionPlan,
  removal: PartitionRemoval,
): PartitionAccess {
  const none: RelationRights = {
    select: false,
    delete: false,
    lockRows: false,
    owns: false,
    ownsSchema: false,
  };
  const rightsOf = (oid: number) => found.rights.get(oid) ?? none;
  const role = found.quotedRole;
  /** What removing `partition` whole lacks, as the statements that would grant it. */
  const missingToRemove = (partition: Partition): string[] => {
    const own = rightsOf(partition.oid);
    const parent = rightsOf(partition.parentOid);
    const missing: string[] = [];
    const dropping = removal === 'drop';
    const needsOwnership = dropping ? !(own.owns || own.ownsSchema) : !parent.owns;
    if (needsOwnership) {
      const owned = dropping ? partition.quotedName : partition.parentQuotedName;
      missing.push(transferOwnership(owned, role));
    }
    // (The owner of a partition may read it: owning it to drop it covers the check too.)
    if (!own.select && !(dropping && needsOwnership))
      missing.push(grantRows(partition.quotedName, role));
    if (!(parent.delete || parent.owns)) missing.push(grantRows(partition.parentQuotedName, role));
    return missing;
  };
  const missingToDelete = (partition: Partition): string[] => {
    const own = rightsOf(partition.oid);
    if (partition.kind !== 'table') return missingToRemove(partition);
    return own.select && own.delete ? [] : [grantRows(partition.quotedName, role)];
  };
  return {
    quotedRole: role,
    removable: plan.expired.filter((partition) => missingToRemove(partition).length === 0),
    notRemovable: plan.expired.filter((partition) => missingToRemove(partition).length > 0),
    direct: (partition) => partition.kind === 'table' && missingToDelete(partition).length === 0,
    fixes: (partitions, purpose) => [
      ...new Set(partitions.flatMap(purpose === 'expired' ? missingToRemove : missingToDelete)),
    ],
  };
}
