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
