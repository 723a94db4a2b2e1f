import type { ClientBase } from 'pg';

/** Time limits of one short transaction. */
export interface TransactionLimits {
  /**
   * `statement_timeout` of every statement in the transaction, milliseconds: a statement
   * running longer is cancelled and the transaction rolled back.
   */
  readonly statementTimeoutMs: number;
  /**
   * `lock_timeout`, milliseconds: waiting longer for a table or row lock held by another
   * session cancels the statement instead of queueing behind (and in front of) others.
   */
  readonly lockTimeoutMs: number;
}

/**
 * Runs `work` in a transaction: commits when it resolves; rolls back when it throws, and
 * rethrows. If the rollback fails too (the connection is gone), the original error is
 * rethrown: PostgreSQL rolls back a transaction whose session ended.
 *
 * @param begin - the statement(s) that open the transaction
 */
export async function inTransaction<T>(
  db: ClientBase,
  work: () => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  let result: T;
  try {
    await db.query(begin);
    result = await work();
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await db.query('COMMIT');
  return result;
}

/**
 * Runs `work` in its own transaction (see {@link inTransaction}) with `statement_timeout` and
 * `lock_timeout` set for that transaction only (`SET LOCAL`).
 */
export async function inShortTransaction<T>(
  db: ClientBase,
  limits: TransactionLimits,
  work: () => Promise<T>,
): Promise<T> {
  checkLimit('statementTimeoutMs', limits.statementTimeoutMs);
  checkLimit('lockTimeoutMs', limits.lockTimeoutMs);
  // One round trip; the values are checked integers, so inlining them is safe.
  const begin =
    `BEGIN; SET LOCAL statement_timeout = ${limits.statementTimeoutMs}; ` +
    `SET LOCAL lock_timeout = ${limits.lockTimeoutMs}`;
  return inTransaction(db, work, begin);
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of milliseconds ≥ 1, got ${value}`);
  }
}
