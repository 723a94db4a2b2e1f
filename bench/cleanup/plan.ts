/** How PostgreSQL plans to find the rows of a `DELETE`, in one line for the bench's report. */
import type pg from 'pg';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/**
 * The scan under the top node of `statement`'s plan (`EXPLAIN`, not run), with the index it
 * uses and the nodes under it, e.g. `Bitmap Heap Scan (Bitmap Index Scan using
 * locations_created_at_brin)` or `Seq Scan`.
 */
export async function plannedScan(db: pg.Client, statement: string): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': readonly { Plan: PlanNode }[] }>(
    `EXPLAIN (FORMAT JSON) ${statement}`,
  );
  const top = rows[0]?.['QUERY PLAN'][0]?.Plan;
  const scan = top?.Plans?.[0] ?? top;
  if (!scan) throw new Error('EXPLAIN returned no plan');
  return describe(scan);
}

function describe(node: PlanNode): string {
  const index = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const under = (node.Plans ?? []).map(describe);
  return `${node['Node Type']}${index}${under.length > 0 ? ` (${under.join(', ')})` : ''}`;
}
