import pg from 'pg';

/**
 * Connects to `url`, runs `use` with the session, and ends it however `use` ends.
 * @param applicationName - what the session shows in `pg_stat_activity`
 */
export async function withClient<T>(
  url: string,
  use: (client: pg.Client) => Promise<T>,
  applicationName?: string,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    ...(applicationName ? { application_name: applicationName } : {}),
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
