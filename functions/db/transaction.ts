import type { ClientBase, QueryResult } from 'pg';
import { MaintenanceError } from '../errors.js';

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
  /**
   * `idle_in_transaction_session_timeout`, milliseconds: a transaction left idle this long
   * (its client frozen, crashed or stuck between statements) is ended by the server, which
   * closes the session, so its locks are not held until TCP keepalive notices.
   * @default defaultIdleTimeoutMs (60 s)
   */
  readonly idleTimeoutMs?: number;
}

/** How long a transaction may sit idle unless its limits say otherwise. */
export const defaultIdleTimeoutMs = 60_000;

/**
 * `COMMIT` failed in a way that does not say whether the transaction committed: the
 * connection was lost (or the server ended the session) after `COMMIT` was sent. The server
 * may have committed before the failure; nothing can tell from this session.
 *
 * `result` is what the transaction's work returned before `COMMIT` was sent (e.g. the rows a
 * batch deleted, which may or may not be deleted now).
 */
export class CommitOutcomeUnknownError<T = unknown> extends MaintenanceError {
  override readonly name = 'CommitOutcomeUnknownError';

  constructor(
    readonly result: T,
    cause: unknown,
  ) {
    super('the connection failed during COMMIT: whether the transaction committed is unknown', {
      cause,
    });
  }
}

/**
 * Runs `work` in a transaction: commits when it resolves; rolls back when it throws, and
 * rethrows. If the rollback fails too (the connection is gone), the original error is
 * rethrown: PostgreSQL rolls back a transaction whose session ended before `COMMIT`.
 *
 * A failing `COMMIT` is told apart: an `ERROR` the server answered `COMMIT` with (a deferred
 * constraint, a serialization failure) means it rolled back, and is rethrown as it is; any
 * other failure (the connection lost, a `FATAL` such as the session being terminated) leaves
 * the outcome unknown, and is thrown as {@link CommitOutcomeUnknownError}.
 *
 * @param begin - the statement(s) that open the transaction (a simple query: no parameters),
 *   and any first statements of the work, sent in the same round trip
 * @param work - gets the results of `begin`'s statements, in order
 * @throws {CommitOutcomeUnknownError} when `COMMIT` was sent and its outcome is unknown.
 */
export async function inTransaction<T>(
  db: ClientBase,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  let result: T;
  try {
    const begun: unknown = await db.query(begin);
    result = await work(Array.isArray(begun) ? begun : [begun as QueryResult]);
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  try {
    await db.query('COMMIT');
  } catch (error) {
    if (isRolledBackCommit(error)) throw error;
    throw new CommitOutcomeUnknownError(result, error);
  }
  return result;
}

/**
 * Runs `work` in its own transaction (see {@link inTransaction}) with `statement_timeout`,
 * `lock_timeout` and `idle_in_transaction_session_timeout` set for that transaction only
 * (`SET LOCAL`), and the session's `TimeZone` pinned to UTC, so that nothing in it depends on
 * the server's or the role's setting.
 *
 * Why here and not once per session: through a pooler in transaction mode (PgBouncer, RDS
 * Proxy) each transaction may run on a different server connection, a plain `SET` stays on
 * whichever one ran it (and pins the session on RDS Proxy), and PgBouncer refuses these
 * settings as startup parameters (`unsupported startup parameter: statement_timeout`). A
 * `SET LOCAL` lives exactly as long as the transaction, on the connection that runs it.
 *
 * @param settings - more `SET LOCAL` settings, e.g. `{ enable_seqscan: 'off' }`; names and
 *   values must be plain words (they are checked, then inlined).
 * @param lead - statements to send with `BEGIN` (values inlined as escaped literals); their
 *   results come to `work`, after the `BEGIN` and `SET`s'.
 */
export async function inShortTransaction<T>(
  db: ClientBase,
  limits: TransactionLimits,
  work: (begun: readonly QueryResult[]) => Promise<T>,
  settings: Readonly<Record<string, string>> = {},
  lead = '',
): Promise<T> {
  // One round trip; the values are checked, so inlining them is safe.
  const begin =
    ['BEGIN', ...localSettings(limits, settings)].join('; ') + (lead ? `; ${lead}` : '');
  return inTransaction(db, work, begin);
}

/**
 * Sends `statements` (a simple query: values inlined as escaped literals) after the same
 * `SET LOCAL`s as {@link inShortTransaction}, in one round trip. Without a `BEGIN`, PostgreSQL
 * runs the statements of one simple query as one implicit transaction: committed when the last
 * succeeds, rolled back (and the rest skipped) when one fails, and the settings gone with it.
 * For read-only work (a count, a catalog read, a probe), this saves the `COMMIT`'s round trip
 * that {@link inShortTransaction} needs. Only outside a transaction: inside one, the settings
 * would stay until it ends.
 *
 * @returns the results of `statements`, in order (not the settings')
 */
export async function inOneRoundTrip(
  db: ClientBase,
  limits: TransactionLimits,
  statements: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<QueryResult[]> {
  const sets = localSettings(limits, settings);
  const answer: unknown = await db.query(`${sets.join('; ')}; ${statements}`);
  const results = Array.isArray(answer) ? (answer as QueryResult[]) : [answer as QueryResult];
  return results.slice(sets.length);
}

/**
 * The `SET LOCAL`s of a short transaction: its limits, the `TimeZone` pinned to UTC, and
 * `settings` (names and values checked, then inlined). {@link inOneRoundTrip}'s statements
 * begin with the first one; a statement bounded this way needs no other bounds (see
 * `boundStatements`).
 */
function localSettings(
  limits: TransactionLimits,
  settings: Readonly<Record<string, string>>,
): string[] {
  checkLimit('statementTimeoutMs', limits.statementTimeoutMs);
  checkLimit('lockTimeoutMs', limits.lockTimeoutMs);
  const idleTimeoutMs = limits.idleTimeoutMs ?? defaultIdleTimeoutMs;
  checkLimit('idleTimeoutMs', idleTimeoutMs);
  const extra = Object.entries(settings).map(([name, value]) => {
    if (!/^[a-z_]+$/.test(name) || !/^\w+$/.test(value)) {
      throw new RangeError(`not a plain setting: ${name} = ${value}`);
    }
    return `SET LOCAL ${name} = ${value}`;
  });
  return [
    `SET LOCAL statement_timeout = ${limits.statementTimeoutMs}`,
    `SET LOCAL lock_timeout = ${limits.lockTimeoutMs}`,
    `SET LOCAL idle_in_transaction_session_timeout = ${idleTimeoutMs}`,
    `SET LOCAL TimeZone = 'UTC'`,
    ...extra,
  ];
}

/** The server answered `COMMIT` with an `ERROR` (not `FATAL`): it rolled the transaction back. */
function isRolledBackCommit(error: unknown): boolean {
  return (error as { severity?: unknown } | null)?.severity === 'ERROR';
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of milliseconds ≥ 1, got ${value}`);
  }
}
