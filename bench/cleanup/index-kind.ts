/**
 * The index that finds the expired rows of `locations`, one kind per scenario: the schema's
 * b-tree on `created_at`, a BRIN on `created_at` alone, or a b-tree on `(device_id,
 * created_at)` alone (no index leads with `created_at`).
 */
import type pg from 'pg';

/** Which index on `created_at` the table has. */
export type IndexKind = 'btree' | 'brin' | 'composite';

/** Every kind, in the order the benchmark runs them. */
export const indexKinds: readonly IndexKind[] = ['btree', 'brin', 'composite'];

/** The index each kind puts in place of the schema's; none for the schema's own b-tree. */
const replacement: Readonly<Record<IndexKind, string | undefined>> = {
  btree: undefined,
  brin: 'CREATE INDEX locations_created_at_brin ON locations USING brin (created_at)',
  composite: 'CREATE INDEX locations_device_created_at ON locations (device_id, created_at)',
};

/**
 * Gives the migrated (still empty) `locations` the index of `kind`: every index with
 * `created_at` in it is dropped and the kind's own created. Run it before the rows are loaded,
 * so that the load builds the index with the others (bench/cleanup/load.ts) and every copy of
 * the table has it.
 *
 * @returns the definitions of the indexes with `created_at` in them, after the change.
 * @throws Error when the result is not the kind asked for (the schema changed under the bench)
 */
export async function useIndexKind(db: pg.Client, kind: IndexKind): Promise<string[]> {
  const create = replacement[kind];
  if (create) {
    for (const definition of await createdAtIndexes(db)) {
      await db.query(`DROP INDEX ${db.escapeIdentifier(definition.name)}`);
    }
    await db.query(create);
  }
  const definitions = (await createdAtIndexes(db)).map((index) => index.definition);
  const expected = create ? [create] : undefined;
  const ok = expected
    ? definitions.length === 1 && sameDefinition(definitions[0] ?? '', expected[0] ?? '')
    : definitions.length === 1 && /\(created_at\)$/.test(definitions[0] ?? '');
  if (!ok) {
    throw new Error(
      `the ${kind} scenario expects one index with created_at, got: ${definitions.join('; ') || 'none'}`,
    );
  }
  return definitions;
}

/** The indexes of `locations` that have `created_at` among their columns. */
async function createdAtIndexes(
  db: pg.Client,
): Promise<{ readonly name: string; readonly definition: string }[]> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'locations'::regclass
        AND EXISTS (SELECT FROM pg_attribute a
                     WHERE a.attrelid = i.indrelid AND a.attname = 'created_at'
                       AND a.attnum = ANY (i.indkey))
      ORDER BY c.relname`,
  );
  return rows;
}

/** `pg_get_indexdef`'s text against ours: the same apart from the schema and `btree`. */
function sameDefinition(actual: string, ours: string): boolean {
  const plain = (text: string) =>
    text
      .replace(/ ON \w+\./, ' ON ')
      .replace(' USING btree', '')
      .replace(/^CREATE INDEX /, '');
  return plain(actual) === plain(ours);
}
