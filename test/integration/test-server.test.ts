import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

describe('the test server (test/support/global-setup.ts)', () => {
  // A DATABASE_URL server is used as it is: not ours to configure.
  it.skipIf(Boolean(process.env.DATABASE_URL))(
    'runs without autovacuum, so that no table is vacuumed or analysed behind a test’s back',
    async () => {
      // WHEN a test's session asks
      const client = await db().connect();
      const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');

      // THEN
      expect(rows[0]?.autovacuum).toBe('off');
    },
  );
});
