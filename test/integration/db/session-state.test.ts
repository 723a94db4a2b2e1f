import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundStatements } from '../../../functions/db/bounded-client.js';
import { inOneRoundTrip, inShortTransaction } from '../../../functions/db/transaction.js';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();

/** Polls a database condition (no timer involved) until it holds, at most 10,000 times. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (await condition()) return;
  }
  throw new Error('the condition never held');
}

async function setting(client: pg.ClientBase, name: string): Promise<string | undefined> {
  const { rows } = await client.query<{ value: string }>('SELECT current_setting($1) AS value', [
    name,
  ]);
  return rows[0]?.value;
}

describe('limits set in each transaction, none on the session', () => {
  let observer: pg.Client;

  beforeAll(async () => {
    observer = await db().connect();
    await observer.query('CREATE TABLE IF NOT EXISTS guarded (id int)');
  });

  it('runs a statement sent outside a transaction in one of its own, with SET LOCAL limits, leaving the session as it was', async () => {
    // Prepare
    const client = await db().connect();
    const bounded = boundStatements(client, {
      statementTimeoutMs: 1_234,
      lockTimeoutMs: 567,
      idleTimeoutMs: 8_900,
    });

    // Act
    const inside = await bounded.query<Record<string, string>>(
      `SELECT current_setting('statement_timeout') AS statement,
              current_setting('lock_timeout') AS lock,
              current_setting('idle_in_transaction_session_timeout') AS idle,
              current_setting('TimeZone') AS zone`,
    );

    // Assess: the limits held for the statement; afterwards the session has none of them
    expect(inside.rows[0]).toEqual({
      statement: '1234ms',
      lock: '567ms',
      idle: '8900ms',
      zone: 'UTC',
    });
    expect(client.getTransactionStatus()).toBe('I');
    expect(await setting(client, 'statement_timeout')).toBe('0');
    expect(await setting(client, 'lock_timeout')).toBe('0');
    expect(await setting(client, 'idle_in_transaction_session_timeout')).toBe('0');
  });

  it('sends a statement that bounds itself (inOneRoundTrip) as it is: one round trip, its limits, the session left as it was', async () => {
    // Prepare: a client that records what it sends
    const client = await db().connect();
    const sent: string[] = [];
    const recorded = new Proxy(client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'query' || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: unknown[]) => {
          sent.push(String(args[0]));
          return value.apply(target, args);
        };
      },
    });
    const bounded = boundStatements(recorded, { statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 });

    // Act
    const [inside] = await inOneRoundTrip(
      bounded,
      { statementTimeoutMs: 1_234, lockTimeoutMs: 567 },
      `SELECT current_setting('statement_timeout') AS statement, current_setting('TimeZone') AS zone`,
    );

    // Assess: its own limits held, in one statement (no BEGIN, no COMMIT around it)
    expect(inside?.rows[0]).toEqual({ statement: '1234ms', zone: 'UTC' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SET LOCAL statement_timeout = 1234;/);
    expect(client.getTransactionStatus()).toBe('I');
    expect(await setting(client, 'statement_timeout')).toBe('0');
  });

  it('cancels such a statement queued behind a lock at its lock_timeout', async () => {
    // Prepare: another session holds the table, so the count waits for certain
    const client = await db().connect();
    const bounded = boundStatements(client, { statementTimeoutMs: 60_000, lockTimeoutMs: 50 });
    await observer.query('BEGIN');
    await observer.query('LOCK TABLE guarded IN ACCESS EXCLUSIVE MODE');

    // Act
    const failure = await bounded.query('SELECT count(*) FROM guarded').catch((error) => error);
    await observer.query('ROLLBACK');

    // Assess
    expect(failure).toMatchObject({ code: '55P03' });
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('cancels such a statement that runs too long at its statement_timeout', async () => {
    // Prepare
    const bounded = boundStatements(await db().connect(), {
      statementTimeoutMs: 50,
      lockTimeoutMs: 50,
    });

    // Act
    const failure = await bounded.query('SELECT pg_sleep(30)').catch((error) => error);

    // Assess
    expect(failure).toMatchObject({ code: '57014' });
  });

  it('sends statements inside a transaction as they are, and queues calls made at once', async () => {
    // Prepare
    const client = await db().connect();
    const bounded = boundStatements(client, { statementTimeoutMs: 4_321, lockTimeoutMs: 50 });

    // Act
    const seen = await inShortTransaction(
      bounded,
      { statementTimeoutMs: 2_000, lockTimeoutMs: 100 },
      () => setting(bounded, 'statement_timeout'),
    );
    const together = await Promise.all(
      [1, 2, 3].map((n) => bounded.query<{ n: number }>('SELECT $1::int AS n', [n])),
    );

    // Assess: the job's own transaction kept its own limit
    expect(seen).toBe('2s');
    expect(together.map((result) => result.rows[0]?.n)).toEqual([1, 2, 3]);
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('ends a transaction left idle at its idle_in_transaction_session_timeout (SET LOCAL)', async () => {
    // Prepare
    const client = await db().connect();
    client.on('error', () => undefined);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]?.pid;

    // Act: the transaction does nothing until the server has ended the session
    const attempt = inShortTransaction(
      client,
      { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, idleTimeoutMs: 50 },
      async () => {
        await waitUntil(async () => {
          const found = await observer.query('SELECT FROM pg_stat_activity WHERE pid = $1', [pid]);
          return found.rowCount === 0;
        });
        await client.query('SELECT 1');
      },
    );

    // Assess
    await expect(attempt).rejects.toThrow();
  });
});
