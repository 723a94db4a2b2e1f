import type { ClientBase } from 'pg';
import { MaintenanceError } from '../errors.js';
import { inShortTransaction, type TransactionLimits } from './transaction.js';

/**
 * The server the connection reached takes no writes: a standby (a read replica, a reader
 * endpoint, a former primary reached through a DNS name cached across a failover) or a
 * database or role whose transactions are read-only. The run did nothing; the handler drops
 * the connection, so the next run connects afresh (and, after a failover, reaches the new
 * primary).
 */
export class ReadOnlyServerError extends MaintenanceError {
  override readonly name = 'ReadOnlyServerError';
}

/** What is read to tell a writable server from one that is not. */
interface ServerState {
  readonly in_recovery: boolean;
  readonly read_only: string;
}

const limits: TransactionLimits = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 };

/**
 * Checks, in a transaction like the ones the job will run, that the server takes writes:
 * `pg_is_in_recovery()` (a standby) and `transaction_read_only` (a standby, or
 * `default_transaction_read_only` set for the database or the role).
 *
 * @throws {ReadOnlyServerError} naming the problem and where to point the connection.
 */
export async function assertWritable(db: ClientBase): Promise<void> {
  const state = await inShortTransaction(db, limits, async () => {
    const { rows } = await db.query<ServerState>(
      `SELECT pg_is_in_recovery() AS in_recovery,
              current_setting('transaction_read_only') AS read_only`,
    );
    return rows[0];
  });
  if (state?.in_recovery) {
    throw new ReadOnlyServerError(
      'the database server is a standby (pg_is_in_recovery() is true), which takes no writes: ' +
        'the connection reached a read replica or a reader endpoint, or a former primary through ' +
        'a DNS name cached across a failover; point DATABASE_URL (or the secret’s host) at the ' +
        'primary (the writer endpoint). Nothing was done; the next run connects afresh',
    );
  }
  if (state?.read_only === 'on') {
    throw new ReadOnlyServerError(
      'transactions on this database are read-only (transaction_read_only is on: ' +
        'default_transaction_read_only is set for the database, the role or the server), so ' +
        'the job could delete nothing; reset it for the job’s role ' +
        '(ALTER ROLE ... RESET default_transaction_read_only) or point the connection at a ' +
        'writable database. Nothing was done; the next run connects afresh',
    );
  }
}
