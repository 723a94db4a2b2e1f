import pg from 'pg';

/** What the writer did while it ran. */
export interface WriterReport {
  /** Rows inserted. */
  readonly inserts: number;
  /** Latency of each insert, milliseconds, in order. */
  readonly latenciesMs: readonly number[];
}

/** A running writer; `stop()` ends its loop after the insert in progress. */
export interface Writer {
  stop(): Promise<WriterReport>;
}

/**
 * The application's side of the benchmark: a second connection inserting single location
 * rows (`created_at` = now) one after another, as fast as it can, timing each insert.
 */
export async function startWriter(url: string, deviceId: string): Promise<Writer> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-writer' });
  await client.connect();
  const latenciesMs: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const started = performance.now();
      await client.query({
        name: 'insert-location',
        text: `INSERT INTO locations (device_id, latitude, longitude, accuracy, captured_at)
               VALUES ($1, $2, $3, $4, now())`,
        values: [deviceId, 48.85 + (n % 100) / 1e4, 2.35 + (n % 100) / 1e4, 5],
      });
      latenciesMs.push(performance.now() - started);
    }
  })();
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await client.end();
      }
      return { inserts: latenciesMs.length, latenciesMs };
    },
  };
}
