import { ConfigurationFault, MaintenanceError } from '../errors.js';

/**
 * The table or column the cleanup is configured for cannot be cleaned safely: it does not
 * exist, the column has another type, or a `timestamp` column has no declared zone. Raised
 * before anything is deleted; the message names the table and column (and the setting to fix).
 */
export class TableCheckError extends ConfigurationFault {
  override readonly name = 'TableCheckError';

  constructor(
    /** The table at fault, as configured. */
    readonly table: string,
    message: string,
    /** The environment variable that would fix it, when one would. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

/** What the committed batches had done when one failed. */
export interface BatchFailureProgress {
  /** Batches committed before the failed one. */
  readonly batches: number;
  /** Rows those batches deleted. */
  readonly deleted: number;
  /**
   * Rows of the partitions removed whole (dropped or detached) before the failed batch.
   * @default 0
   */
  readonly partitionRows?: number;
}

/**
 * A batch failed. Either it was rolled back as a whole (the batches before it stay committed),
 * or its `COMMIT` was cut off and its outcome is unknown (`outcomeUnknown`): its rows may be
 * deleted or not. `cause` holds the database's error (e.g. SQLSTATE 57014 statement timeout,
 * or a lost connection).
 */
export class BatchFailedError extends MaintenanceError {
  override readonly name = 'BatchFailedError';

  constructor(
    readonly table: string,
    /** What the committed batches before the failed one did: the rows known to be deleted. */
    readonly progress: BatchFailureProgress,
    cause: unknown,
    /**
     * Set when the failed batch's `COMMIT` was sent and its outcome is unknown: the rows it
     * deleted before `COMMIT`, which may or may not be gone now.
     */
    readonly uncertainRows?: number,
  ) {
    const before =
      `the ${progress.deleted} rows deleted by the batches before it stay deleted` +
      (progress.partitionRows
        ? `, and the ${progress.partitionRows} rows of the partitions removed before it stay out of the table`
        : '');
    super(
      uncertainRows === undefined
        ? `deleting from ${table}: batch ${progress.batches + 1} failed and was rolled back (${before})`
        : `deleting from ${table}: batch ${progress.batches + 1}'s COMMIT was cut off, so its outcome is unknown: ` +
            `its ${uncertainRows} rows may or may not be deleted (${before})`,
      { cause },
    );
  }

  /** Whether the failed batch may have committed. */
  get outcomeUnknown(): boolean {
    return this.uncertainRows !== undefined;
  }
}

/**
 * Classes of errors that are never about particular rows, even when raised inside a trigger: a
 * lost connection (08), a transaction state (25), a serialization failure or deadlock (40),
 * resources or limits (53, 54), a lock not granted (55), a timeout or shutdown (57), the
 * system (58, F0, XX).
 */
const notAboutRows = new Set(['08', '25', '40', '53', '54', '55', '57', '58', 'F0', 'XX']);

/**
 * Whether the database refused some rows of a batch, rather than failing the batch as a whole:
 * an integrity constraint (class 23: a foreign key that restricts, or one a cascade breaks), an
 * exception raised by a trigger (class P0, 09, 27), or any other error raised inside a trigger
 * or function (an error with a context), but those of the classes in {@link notAboutRows}.
 */
export function isRefusal(error: unknown): boolean {
  const { code, where } = (error ?? {}) as { code?: unknown; where?: unknown };
  if (typeof code !== 'string') return false;
  const errorClass = code.slice(0, 2);
  if (['23', 'P0', '09', '27'].includes(errorClass)) return true;
  return typeof where === 'string' && where.length > 0 && !notAboutRows.has(errorClass);
}
