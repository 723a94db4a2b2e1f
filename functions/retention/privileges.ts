/**
 * What the job's role may do, read from the catalog before any work (`has_table_privilege`,
 * `pg_has_role(owner, 'USAGE')`), so that a missing grant is said up front, with the statement
 * that grants it, instead of failing a batch: on the table, read and delete its rows, and lock
 * rows (which PostgreSQL allows only to a role that may update); on a partitioned table's
 * partitions, remove them whole, and read and delete their rows directly.
 */
import { type ClientBase, escapeIdentifier } from 'pg';
import { TableCheckError } from './errors.js';

/** What the job's role may do with a table's rows. */
export interface TableRights {
  /** `SELECT` on the table. */
  readonly select: boolean;
  /** `DELETE` on the table. */
  readonly delete: boolean;
  /**
   * `UPDATE` on some column: what PostgreSQL asks of `SELECT ... FOR UPDATE`, by which a batch
   * goes around rows other sessions hold locked (the job never updates a row). Without it, the
   * rows of a batch that meets a locked row are left for the next run.
   */
  readonly lockRows: boolean;
}

/** The {@link TableRights} of `pg_class c`'s relation, as one JSON column of a catalog query. */
export const tableRightsColumn = `json_build_object(
           'select', has_table_privilege(c.oid, 'SELECT'),
           'delete', has_table_privilege(c.oid, 'DELETE'),
           'lockRows', has_any_column_privilege(c.oid, 'UPDATE'))`;

/** What the job's role may do with one relation (a partition, or a parent of partitions). */
export interface RelationRights extends TableRights {
  /**
   * It owns the relation (or has the privileges of the role that does): it may `DROP` it, and
   * `ALTER` it (detach a partition of it).
   */
  readonly owns: boolean;
  /** It owns the relation's schema: it may `DROP` the relation too. */
  readonly ownsSchema: boolean;
}

/** The job's role and its rights on some relations. */
export interface RightsOnRelations {
  /** The role the session runs as (`current_user`), quoted. */
  readonly quotedRole: string;
  /** By oid; a relation dropped meanwhile is missing. */
  readonly rights: ReadonlyMap<number, RelationRights>;
}

interface RightsRow extends RelationRights {
  readonly oid: string;
  readonly role: string;
}

/** Reads the role's rights on the relations `oids`: one catalog query. */
export async function readRights(
  db: ClientBase,
  oids: readonly number[],
): Promise<RightsOnRelations> {
  const { rows } = await db.query<RightsRow>(
    `SELECT c.oid::int8::text AS oid, current_user AS role,
            has_table_privilege(c.oid, 'SELECT') AS select,
            has_table_privilege(c.oid, 'DELETE') AS delete,
            has_any_column_privilege(c.oid, 'UPDATE') AS "lockRows",
            pg_has_role(c.relowner, 'USAGE') AS owns,
            pg_has_role(n.nspowner, 'USAGE') AS "ownsSchema"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = ANY ($1::oid[])`,
    [oids.map(String)],
  );
  const role = rows[0]?.role ?? (await currentRole(db));
  return {
    quotedRole: escapeIdentifier(role),
    rights: new Map(rows.map(({ oid, role: _, ...rights }) => [Number(oid), rights])),
  };
}

/** What a run does with a table: count its expired rows (a dry run), or delete them. */
export type TableUse = 'count' | 'delete';

/**
 * Refuses, before anything is read or deleted, when the role may not read the table (a count)
 * or may not read and delete its rows (a purge), naming the `GRANT` that lets it.
 *
 * @throws {TableCheckError} naming the role, the table and the grant.
 */
export async function requireRights(
  db: ClientBase,
  table: { readonly name: string; readonly quotedTable: string; readonly rights: TableRights },
  use: TableUse,
): Promise<void> {
  const { select, delete: mayDelete } = table.rights;
  if (select && (use === 'count' || mayDelete)) return;
  const role = escapeIdentifier(await currentRole(db));
  const verb = use === 'count' ? 'read' : 'read and delete the rows of';
  throw new TableCheckError(
    table.name,
    `the role ${role} may not ${verb} ${table.quotedTable}: nothing deleted. ` +
      `Grant it: ${grantRows(table.quotedTable, role)}`,
  );
}

/** `GRANT SELECT, DELETE ON <table> TO <role>`: what the job needs on a table it cleans. */
export function grantRows(quotedTable: string, quotedRole: string): string {
  return `GRANT SELECT, DELETE ON ${quotedTable} TO ${quotedRole}`;
}

/** `ALTER TABLE <table> OWNER TO <role>`: what dropping a table (or detaching from it) needs. */
export function transferOwnership(quotedTable: string, quotedRole: string): string {
  return `ALTER TABLE ${quotedTable} OWNER TO ${quotedRole}`;
}

async function currentRole(db: ClientBase): Promise<string> {
  const { rows } = await db.query<{ role: string }>('SELECT current_user AS role');
  return rows[0]?.role ?? 'the job';
}
