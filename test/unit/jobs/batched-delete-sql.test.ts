import { describe, expect, it } from 'vitest';
import { batchedDeleteStatements } from '../../../functions/db/batched-delete-sql.js';

describe('batchedDeleteStatements', () => {
  it('quotes the table, a schema, and the column', () => {
    // Act
    const statements = batchedDeleteStatements({ table: 'app.Locations', column: 'created "at' });

    // Assess
    expect(statements.deleteRange).toContain('DELETE FROM "app"."Locations"');
    expect(statements.deleteRange).toContain('"created ""at" >= $1::timestamptz');
    expect(statements.count).toBe(
      'SELECT count(*) AS count FROM "app"."Locations" WHERE "created ""at" < $1::timestamptz',
    );
  });

  it('passes every value as a parameter', () => {
    const statements = batchedDeleteStatements({ table: 'locations', column: 'created_at' });

    for (const sql of Object.values(statements)) expect(sql).not.toMatch(/'[^']*'/);
  });
});
