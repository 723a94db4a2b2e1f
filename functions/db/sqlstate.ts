/**
 * The PostgreSQL error codes (SQLSTATE) the jobs act on, in one place, and how to read one
 * off an error that `pg` threw. See PostgreSQL's "Appendix A. PostgreSQL Error Codes".
 */
export const SqlState = {
  /** 28P01: the password was rejected (the secret may have been rotated since it was cached). */
  InvalidPassword: '28P01',
  /** 55P03: a lock was not granted within `lock_timeout`. */
  LockNotAvailable: '55P03',
  /**
   * 40P01: the server broke a deadlock by rolling this transaction back (two runs at once, or the
   * backend, locking the same rows in different orders).
   */
  DeadlockDetected: '40P01',
  /** 57014: a statement was cancelled, here by its `statement_timeout`. */
  QueryCanceled: '57014',
  /** 25006: a write in a read-only transaction (a standby, or `default_transaction_read_only`). */
  ReadOnlySqlTransaction: '25006',
  /** 42501: the role lacks a privilege on the object. */
  InsufficientPrivilege: '42501',
  /** 42P01: the table does not exist (another run removed it, or a migration was not applied). */
  UndefinedTable: '42P01',
  /** 2BP01: other objects (a view, a foreign key) depend on the object being dropped. */
  DependentObjectsStillExist: '2BP01',
  /** 23514: a check failed; here, the DEFAULT partition holds rows of a partition being attached. */
  CheckViolation: '23514',
  /** 42P07: a relation with that name exists already. */
  DuplicateTable: '42P07',
  /** 42P17: an invalid definition; here, a partition that would overlap another. */
  InvalidObjectDefinition: '42P17',
} as const;

/** One of {@link SqlState}'s codes. */
export type SqlState = (typeof SqlState)[keyof typeof SqlState];

/** The SQLSTATE of a database error, if `error` is one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether `error` is one the server answered a statement with (a SQLSTATE), the session still
 * usable after a rollback: not a lost connection (class 08) or a server shutting down (57P).
 */
export function isStatementError(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== undefined && !code.startsWith('08') && !code.startsWith('57P');
}
