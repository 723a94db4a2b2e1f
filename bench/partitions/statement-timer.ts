/**
 * Times every statement a job sends through its session, and groups them into the job's
 * transactions (from a `BEGIN...` to its `COMMIT` or `ROLLBACK`), each sorted by what it did:
 * partition DDL, a batch of deletes, or anything else (planning, checks, counts).
 */
import type pg from 'pg';

/** One statement: its SQL and when it was sent and answered (`performance.now()`). */
export interface TimedStatement {
  readonly text: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

/** What a transaction (or a statement outside one) did. */
export type WorkKind = 'partition DDL' | 'batch' | 'other';

/** A transaction, or a statement run on its own, and how long it took from send to answer. */
export interface TimedWork {
  readonly kind: WorkKind;
  readonly ms: number;
  /**
   * Of which its `COMMIT` (0 for a statement on its own). A `DROP TABLE`'s commit removes the
   * partition's files, after its locks are released.
   */
  readonly commitMs: number;
}

/**
 * `client` with its `query` timed: each statement (text, start, end) is appended to
 * `statements` when it is answered. Everything else goes to the client as it is.
 */
export function timedClient(client: pg.Client, statements: TimedStatement[]): pg.Client {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== 'query' || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        const first = args[0] as string | { text?: string } | undefined;
        const text = typeof first === 'string' ? first : (first?.text ?? '');
        const startedMs = performance.now();
        const answer: unknown = value.apply(target, args);
        if (!(answer instanceof Promise)) return answer;
        return answer.finally(() =>
          statements.push({ text, startedMs, endedMs: performance.now() }),
        );
      };
    },
  });
}

/**
 * The statements grouped into transactions, in order. A transaction that drops or detaches a
 * partition is `partition DDL`; one that deletes rows is a `batch`.
 */
export function transactionsOf(statements: readonly TimedStatement[]): TimedWork[] {
  const work: TimedWork[] = [];
  let open: { startedMs: number; kind: WorkKind } | undefined;
  for (const statement of statements) {
    const sql = statement.text.trimStart();
    if (/^BEGIN\b/i.test(sql)) {
      // A batch (or a partition's DDL) may send its statements with its BEGIN, in one round trip.
      const sent = sql.slice(sql.indexOf(';') + 1);
      const kind: WorkKind = /\b(DROP TABLE|DETACH PARTITION)\b/i.test(sent)
        ? 'partition DDL'
        : /;\s*DELETE\b/i.test(sql)
          ? 'batch'
          : 'other';
      open = { startedMs: statement.startedMs, kind };
      continue;
    }
    const kind = kindOf(sql);
    if (!open) {
      work.push({ kind, ms: statement.endedMs - statement.startedMs, commitMs: 0 });
      continue;
    }
    if (kind !== 'other') open.kind = kind;
    if (/^(COMMIT|ROLLBACK)\b/i.test(sql)) {
      work.push({
        kind: open.kind,
        ms: statement.endedMs - open.startedMs,
        commitMs: statement.endedMs - statement.startedMs,
      });
      open = undefined;
    }
  }
  return work;
}

function kindOf(sql: string): WorkKind {
  if (/^(DROP TABLE|ALTER TABLE .* DETACH PARTITION)\b/is.test(sql)) return 'partition DDL';
  if (/^(WITH\b.*\bDELETE|DELETE)\b/is.test(sql)) return 'batch';
  return 'other';
}

/** The time spent in, and the count and longest of, each kind of work. */
export function summarise(work: readonly TimedWork[]): Record<WorkKind, WorkSummary> {
  const of = (kind: WorkKind): WorkSummary => {
    const items = work.filter((item) => item.kind === kind);
    const times = items.map((item) => item.ms);
    return {
      count: items.length,
      totalMs: times.reduce((sum, ms) => sum + ms, 0),
      maxMs: times.length > 0 ? Math.max(...times) : 0,
      commitMs: items.reduce((sum, item) => sum + item.commitMs, 0),
    };
  };
  return { 'partition DDL': of('partition DDL'), batch: of('batch'), other: of('other') };
}

/** Time in one kind of work. */
export interface WorkSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** Of the total, in `COMMIT`s. */
  readonly commitMs: number;
}
