/**
 * A path's batch size, cut in half each time a batch passes its statement timeout, down to the
 * run's floor: a table that is slow to delete from (a cascade to a child table with no index on
 * its foreign key, a slow trigger) still makes progress, in smaller batches.
 */

import { JobLog } from '../log-messages.js';
import type { BatchRunner } from './batch-runner.js';

/** The rows a path's batches aim at, for one table. */
export class BatchSize {
  #current: number;
  /** The fewest rows a batch is cut down to. */
  readonly floor: number;

  constructor(
    private readonly runner: BatchRunner,
    start: number = runner.batchSize,
  ) {
    this.#current = start;
    this.floor = Math.max(1, Math.min(runner.minBatchSize, start));
  }

  /** The rows a batch aims at now. */
  get current(): number {
    return this.#current;
  }

  /**
   * After a batch passed its statement timeout: halves the size (not below the floor), keeps
   * the smallest in the run's tally and says so. Returns `false`, changing nothing, when the
   * size is already at the floor.
   *
   * @param details - more fields for the warning (e.g. the heap range's pages)
   * @param rows - the rows the batch that timed out held, when fewer than the size (a heap
   *   range): half of those, then
   */
  halve(details: Readonly<Record<string, unknown>> = {}, rows = this.#current): boolean {
    if (this.#current <= this.floor) return false;
    const previous = Math.min(this.#current, Math.max(1, rows));
    this.#current = Math.max(this.floor, Math.floor(previous / 2));
    const { tally } = this.runner;
    tally.settledBatchSize = Math.min(tally.settledBatchSize ?? this.#current, this.#current);
    this.runner.onNotice?.(JobLog.BatchRetriedSmaller, {
      table: this.runner.table,
      statementTimeoutMs: this.runner.limits.statementTimeoutMs,
      previousBatchSize: previous,
      batchSize: this.#current,
      minBatchSize: this.floor,
      ...details,
    });
    return true;
  }
}
