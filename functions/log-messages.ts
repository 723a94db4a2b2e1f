/**
 * The `message` of every log line the project writes: a contract, since the lines for people
 * (harness/output/human-lines.ts), the Logs Insights queries and the dashboard
 * (functions/runner/run-log-queries.ts, infra/), and the `--aws` commands find lines by it.
 * Change a message here, and everything that reads it follows.
 */

/** What the Lambda handlers write: the runner, the adapter and the jobs. */
export const JobLog = {
  /** A run began (`job`, `runId`, `scheduledTime`, `startedAt`, `trigger`). */
  JobStarted: 'job started',
  /** Exactly one per run: its record (`outcome`, `durationMs`, `result` or `error`). */
  JobFinished: 'job finished',
  /** The event was none the handler takes; no run. */
  EventRejected: 'event rejected',
  /** The kept database session failed; the next run connects afresh. */
  DatabaseConnectionLost: 'database connection lost',
  /** A run took over a claim that a crashed run left to expire (`previousRunId`, `expiredAt`). */
  ClaimTakenOver: 'expired claim taken over',
  /** The claims table is missing: the run goes on without the overlap guard, saying what to run. */
  ClaimTableMissing: 'job claims table missing, running without the overlap guard',
  /** The job's role may not write the claims table: the run goes on without the overlap guard. */
  ClaimTableDenied: 'job claims table not writable, running without the overlap guard',
  /** The run's claim could not be deleted at its end: it lapses at `expiresAt`. */
  ClaimNotReleased: 'claim not released',
  /** A purge's progress, every few seconds of a long run. */
  DeletingExpiredRows: 'deleting expired rows',
  /** A dry run's count. */
  DryRunCount: 'dry run: rows that would be deleted',
  /** A purge ended with nothing expired left. */
  ExpiredRowsDeleted: 'expired rows deleted',
  /** A purge left rows that others had locked. */
  LockedRowsLeft: 'expired rows deleted, locked rows left for the next run',
  /** A purge stopped at its deadline or at shutdown. */
  StoppedEarly: 'expired rows deleted, stopped early',
  /** No index leads with the cleanup column: the heap is swept. */
  NoIndex: 'no index on the cleanup column',
  /** A long-held snapshot made the first index walk slow: the heap is swept. */
  IndexWalkTooSlow: 'index walk too slow, sweeping the heap',
  /** The table is partitioned, but not so that partitions can be removed whole. */
  PartitionsNotRemoved: 'partitions not removed whole',
  PartitionDropped: 'partition dropped',
  PartitionDetached: 'partition detached',
  /** Something depends on an expired partition: its rows are batch-deleted instead. */
  PartitionBatchDeleted: 'partition batch-deleted instead of removed',
  PartitionLeft: 'partition left for the next run',
  /** pg_partman manages the table's retention too. */
  PgPartmanAlso: 'pg_partman also removes partitions of this table',
} as const;

/** What the local harness, the command line and the development database write. */
export const HarnessLog = {
  SchedulerStarted: 'scheduler started',
  SchedulerStopping: 'scheduler stopping',
  SchedulerStopped: 'scheduler stopped',
  SchedulerAbandoning: 'scheduler stopped, abandoning runs',
  ScheduleEnded: 'schedule ended',
  MissedFires: 'missed fires',
  FireSkipped: 'fire skipped',
  RunFailed: 'run failed',
  JobsPaused: 'jobs paused',
  ShuttingDown: 'shutting down',
  ShutDown: 'shut down',
  HistoryNotWritten: 'run history not written',
  StartingEmbeddedPostgres: 'starting the embedded PostgreSQL',
  EmbeddedPostgresLeftBehind: 'embedded PostgreSQL left behind',
  SchemaMigrated: 'schema migrated',
  LocationsPartitioned: 'locations partitioned by day',
  DemoDataWritten: 'demo data written',
  DatabaseReady: 'database ready',
} as const;

/** One of the messages above. */
export type LogMessage =
  | (typeof JobLog)[keyof typeof JobLog]
  | (typeof HarnessLog)[keyof typeof HarnessLog];
