import type pg from 'pg';
import { inShortTransaction, type TransactionLimits } from './transaction.js';

/**
 * Limits of a statement sent outside any transaction (a catalog read, a count, a probe): what
 * the session's startup settings used to give every statement.
 */
export const outsideTransactionLimits: TransactionLimits = {
  statementTimeoutMs: 60_000,
  lockTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
};

/**
 * Statements that open a transaction themselves, or that bound themselves (a simple query that
 * begins with `SET LOCAL statement_timeout`, as `inOneRoundTrip` sends: one implicit
 * transaction with its own limits): sent as they are.
 */
const opensTransaction = /^\s*(BEGIN|START\s+TRANSACTION|SET\s+LOCAL\s+statement_timeout)\b/i;

/**
 * `client`, except that a statement sent while no transaction is open runs in a short
 * transaction of its own with `limits` (`BEGIN; SET LOCAL ...`, the statement, `COMMIT`).
 * Statements inside a transaction, and those that open one, go through unchanged.
 *
 * Why: a session's settings cannot bound these statements when the connection goes through a
 * pooler in transaction mode. PgBouncer refuses `statement_timeout` as a startup parameter, a
 * plain `SET` stays on whichever server connection ran it (and pins the session on RDS Proxy),
 * and an implicit transaction cannot carry a `SET LOCAL`. So the job's statements that run on
 * their own (the table's checks read the catalogs one statement at a time) would have no
 * limit at all: a statement that never ends, or one queued behind an `ACCESS EXCLUSIVE` lock,
 * would hold the run until Lambda's timeout. Wrapping them here bounds every one of them,
 * including those of jobs written later, at the cost of two round trips each (they are a few
 * per run; the batches, which are many, open their own transactions).
 *
 * Queries through the returned client run one after another, each waiting for the previous
 * one to finish, so that the transaction status read before each is the one it will run in.
 */
export function boundStatements(client: pg.Client, limits = outsideTransactionLimits): pg.Client {
  let previous: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]): unknown => {
    const last = args.at(-1);
    const first = args[0] as { text?: unknown; submit?: unknown } | string | undefined;
    // Callback and Submittable (cursor, stream) forms are passed through as they are.
    if (typeof last === 'function' || (typeof first === 'object' && first?.submit)) {
      return Reflect.apply(client.query, client, args);
    }
    const text = typeof first === 'string' ? first : String(first?.text ?? '');
    const send = () => Reflect.apply(client.query, client, args) as Promise<unknown>;
    const run = previous.then(() =>
      client.getTransactionStatus() === 'I' && !opensTransaction.test(text)
        ? inShortTransaction(client, limits, send)
        : send(),
    );
    previous = run.catch(() => undefined);
    return run;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
