/**
 * Row-level security: a role that policies hide rows from would count them as absent, delete
 * the ones it sees, and report the table clean while the hidden expired rows stay. So before a
 * table is cleaned, counted or measured, the cleanup makes sure no policy can hide a row from
 * its role, or refuses.
 */
import type { ClientBase } from 'pg';
import { TableCheckError } from './errors.js';

/** The policies that apply to the current role when it reads or deletes rows of a table. */
const policiesQuery = `
  SELECT p.polname AS name, p.polpermissive AS permissive, p.polcmd::text AS command,
         coalesce(pg_get_expr(p.polqual, p.polrelid), '(none)') AS using
    FROM pg_policy p
   WHERE p.polrelid = $1::oid
     AND p.polcmd IN ('*', 'r', 'd')
     AND (0::oid = ANY (p.polroles)
          OR EXISTS (SELECT 1 FROM unnest(p.polroles) AS r(oid)
                      WHERE pg_has_role(current_user, r.oid, 'MEMBER')))`;

interface PolicyRow {
  readonly name: string;
  readonly permissive: boolean;
  /** `*` all commands, `r` SELECT, `d` DELETE. */
  readonly command: string;
  /** The policy's `USING` expression, as PostgreSQL prints it. */
  readonly using: string;
}

/**
 * Refuses when row-level security is active for the current role on the relation (as
 * `row_security_active` said in the table's profile) and its policies may hide a row from a
 * `SELECT` or a `DELETE`. Nothing is hidden only when, for both commands, a permissive policy
 * of the role's lets every row through (`USING (true)`) and no restrictive one filters.
 *
 * @throws {TableCheckError} naming the role, the table and both fixes (`BYPASSRLS`, or a
 *   policy for the role).
 */
export async function refuseHiddenRows(
  db: ClientBase,
  relation: { readonly oid: number; readonly quotedTable: string },
  table: string,
): Promise<void> {
  const { rows } = await db.query<PolicyRow>(policiesQuery, [String(relation.oid)]);
  const seesEvery = (command: 'r' | 'd') =>
    rows.some(
      (policy) =>
        policy.permissive &&
        (policy.command === '*' || policy.command === command) &&
        policy.using === 'true',
    );
  const filtering = rows.filter((policy) => !policy.permissive && policy.using !== 'true');
  if (seesEvery('r') && seesEvery('d') && filtering.length === 0) return;
  const { rows: who } = await db.query<{ role: string }>('SELECT current_user AS role');
  const role = who[0]?.role ?? 'the job';
  const quotedRole = `"${role.replaceAll('"', '""')}"`;
  const because =
    filtering.length > 0
      ? `the restrictive ${filtering.length === 1 ? 'policy' : 'policies'} ${filtering.map((policy) => policy.name).join(', ')} may hide some`
      : rows.length === 0
        ? 'no policy lets it see any row'
        : `its policies (${rows.map((policy) => policy.name).join(', ')}) may hide some`;
  throw new TableCheckError(
    table,
    `row-level security on ${relation.quotedTable} applies to the role ${role}, and ${because}: ` +
      'rows it cannot see would be reported as gone while they stay, so nothing is deleted. ' +
      `Run the job as a role with BYPASSRLS (ALTER ROLE ${quotedRole} BYPASSRLS), or give it a policy ` +
      `that sees every row (CREATE POLICY retention_cleanup ON ${relation.quotedTable} FOR ALL TO ${quotedRole} USING (true))`,
  );
}
