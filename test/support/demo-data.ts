/**
 * Demo data for tests that count the expired rows and then run a job: nothing in it expires
 * within the next hour, so the count the test took is still the job's however slow the
 * machine is between the two.
 */
import type { ClientBase } from 'pg';
import { type DemoDataOptions, seedDemoData } from '../../dev-db/seed.js';

/**
 * Writes demo data (see `seedDemoData`), then removes the location fixes that would pass the
 * 30-day retention, and the idempotency keys that would expire, within the next hour.
 */
export async function seedSteadyDemoData(
  client: ClientBase,
  options: DemoDataOptions,
): Promise<void> {
  await seedDemoData(client, options);
  await client.query(
    `DELETE FROM locations
      WHERE created_at >= now() - interval '30 days'
        AND created_at < now() - interval '30 days' + interval '1 hour'`,
  );
  await client.query(
    `DELETE FROM idempotency_keys
      WHERE expires_at >= now() AND expires_at < now() + interval '1 hour'`,
  );
}
