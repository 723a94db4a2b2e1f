import { describe, expect, it } from 'vitest';
import { partitionAccess } from '../../../functions/retention/partition-access.js';
import type { Partition, PartitionPlan } from '../../../functions/retention/partitions.js';
import type { RelationRights } from '../../../functions/retention/privileges.js';

const parent = { oid: 1, quoted: '"public"."locations"' };

function day(oid: number, name: string, kind: Partition['kind'] = 'table'): Partition {
  return {
    oid,
    name: `public.${name}`,
    quotedName: `"public"."${name}"`,
    parentOid: parent.oid,
    parentQuotedName: parent.quoted,
    kind,
    isDefault: false,
    estimatedRows: 24,
  };
}

const expired = day(2, 'locations_p20261020');
const straddling = day(3, 'locations_p20261029');
const plan: PartitionPlan = { expired: [expired], straddling: [straddling] };

const none: RelationRights = {
  select: false,
  delete: false,
  lockRows: false,
  owns: false,
  ownsSchema: false,
};
const rows: RelationRights = { ...none, select: true, delete: true };
const owned: RelationRights = { ...rows, owns: true };

function access(rights: Record<number, RelationRights>, removal: 'drop' | 'detach' = 'drop') {
  return partitionAccess(
    { quotedRole: '"jobs"', rights: new Map(Object.entries(rights).map(([k, v]) => [+k, v])) },
    plan,
    removal,
  );
}

describe('partitionAccess', () => {
  it('drops a partition the role owns, and reads it directly', () => {
    // Act
    const found = access({ 1: rows, 2: owned, 3: owned });

    // Assess
    expect(found.removable).toEqual([expired]);
    expect(found.notRemovable).toEqual([]);
    expect(found.direct(straddling)).toBe(true);
  });

  it('names the ownership dropping needs, and the grant reading one directly needs', () => {
    // Act
    const found = access({ 1: rows, 2: none, 3: none });

    // Assess
    expect(found.removable).toEqual([]);
    expect(found.fixes([expired], 'expired')).toEqual([
      'ALTER TABLE "public"."locations_p20261020" OWNER TO "jobs"',
    ]);
    expect(found.direct(expired)).toBe(false);
    expect(found.fixes([straddling], 'direct')).toEqual([
      'GRANT SELECT, DELETE ON "public"."locations_p20261029" TO "jobs"',
    ]);
  });

  it('drops a partition of a schema the role owns once it may read it', () => {
    // Act
    const found = access({ 1: rows, 2: { ...none, ownsSchema: true }, 3: rows });

    // Assess
    expect(found.fixes([expired], 'expired')).toEqual([
      'GRANT SELECT, DELETE ON "public"."locations_p20261020" TO "jobs"',
    ]);
  });

  it('detaching needs the parent, and SELECT on the partition for the check before', () => {
    // Act
    const partitionsOwned = access({ 1: rows, 2: owned, 3: owned }, 'detach');
    const parentOwned = access({ 1: owned, 2: none, 3: rows }, 'detach');

    // Assess
    expect(partitionsOwned.fixes([expired], 'expired')).toEqual([
      'ALTER TABLE "public"."locations" OWNER TO "jobs"',
    ]);
    expect(parentOwned.fixes([expired], 'expired')).toEqual([
      'GRANT SELECT, DELETE ON "public"."locations_p20261020" TO "jobs"',
    ]);
    expect(access({ 1: owned, 2: rows, 3: rows }, 'detach').removable).toEqual([expired]);
  });

  it('never batch-deletes a sub-partitioned partition directly', () => {
    // Act
    const found = partitionAccess(
      { quotedRole: '"jobs"', rights: new Map([[4, owned]]) },
      { expired: [], straddling: [] },
      'drop',
    );

    // Assess
    expect(found.direct(day(4, 'locations_2026_09', 'partitioned'))).toBe(false);
  });
});
