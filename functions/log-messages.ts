/**
 * The `message` of every log line the project writes: a contract, since the lines for people
 * (harness/output/human-lines.ts), the Logs Insights queries and the dashboard
 * (functions/runner/run-log-queries.ts, infra/), and the `--aws` commands find lines by it.
 * Change a message here, and everything that reads it follows. What each one means, its level
 * and its fields are in `jobLogDocs` and `harnessLogDocs` below, from which
 * docs/reference/log-messages.md is generated (`npm run docs`).
 */

/** What the Lambda handlers write: the runner, the adapter and the jobs. */
export const JobLog = {
  JobStarted: 'job started',
  JobFinished: 'job finished',
  EventRejected: 'event rejected',
  DatabaseConnectionLost: 'database connection lost',
  ClaimTakenOver: 'expired claim taken over',
  ClaimTableMissing: 'job claims table missing, running without the overlap guard',
  ClaimTableDenied: 'job claims table not writable, running without the overlap guard',
  ClaimNotReleased: 'claim not released',
  DeletingExpiredRows: 'deleting expired rows',
  DryRunCount: 'dry run: rows that would be deleted',
  ExpiredRowsDeleted: 'expired rows deleted',
  LockedRowsLeft: 'expired rows deleted, locked rows left for the next run',
  RefusedRowsLeft: 'expired rows deleted, refused rows left in place',
  StoppedEarly: 'expired rows deleted, stopped early',
  NoIndex: 'no index on the cleanup column',
  BetterIndex: 'another index would make the cleanup cheaper',
  IndexWalkTooSlow: 'index walk too slow, sweeping the heap',
  RowsRefused: 'expired rows refused, left in place',
  ForeignKeyUnindexed: 'foreign key without an index',
  BatchRetriedSmaller: 'batch timed out, retrying smaller',
  PartitionsNotRemoved: 'partitions not removed whole',
  PartitionDropped: 'partition dropped',
  PartitionDetached: 'partition detached',
  PartitionBatchDeleted: 'partition batch-deleted instead of removed',
  PartitionLeft: 'partition left for the next run',
  PgPartmanAlso: 'pg_partman also removes partitions of this table',
  PartitionMade: 'partition made ahead',
  PartitionNotMade: 'partition not made ahead',
  PremakeSkipped: 'partitions not made ahead',
  DefaultPartitionRows: 'rows wait in the DEFAULT partition',
  DefaultPartitionNotCounted: 'DEFAULT partition not counted',
  OldestRowNotMeasured: 'oldest row not measured',
  ReplicaLagPause: 'standby lagging, batches paused',
  ReplicaCaughtUp: 'standbys caught up, batches resumed',
  ReplicaLagUnreadable: 'standby lag unreadable, batches not paused for standbys',
  PartitionRightsMissing: "partitions batch-deleted: the job's role may not remove them whole",
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
  EmbeddedPostgresAlreadyRunning: 'embedded PostgreSQL already running',
  EmbeddedPostgresOutput: 'embedded PostgreSQL output',
  EmbeddedPostgresPortTaken: 'port taken, trying another',
  EmbeddedPostgresKilled: 'embedded PostgreSQL killed',
  InitialisingCluster: 'initialising a PostgreSQL cluster',
  CreatingOsUser: 'creating the OS user to run PostgreSQL as',
  FolderMadeTraversable: 'folder made traversable for PostgreSQL',
  SchemaMigrated: 'schema migrated',
  LocationsPartitioned: 'locations partitioned by day',
  DemoDataWritten: 'demo data written',
  DatabaseReady: 'database ready',
  TriggerChangedByHand: 'trigger changed by hand until the next deploy',
} as const;

/** One of the messages above. */
export type LogMessage =
  | (typeof JobLog)[keyof typeof JobLog]
  | (typeof HarnessLog)[keyof typeof HarnessLog];

/** A log line's own fields, beside its message. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The one logging shape of the rooms outside Lambda (dev-db, harness, cli): a message constant
 * and its fields, at a level. It is passed in as a dependency; a Powertools Logger is one (the
 * harness's output for people reads its JSON lines), and so is a test's recorder. (Inside
 * Lambda, jobs log through the Powertools Logger of their context.)
 */
export interface MessageLogger {
  /**
   * Detail nobody needs unless something goes wrong (the embedded server's own output): a
   * Powertools Logger drops it at its default level, INFO (`POWERTOOLS_LOG_LEVEL=DEBUG` shows
   * it), and so does the human-line logger.
   */
  debug(message: LogMessage, fields: LogFields): void;
  info(message: LogMessage, fields: LogFields): void;
  warn(message: LogMessage, fields: LogFields): void;
  error(message: LogMessage, fields: LogFields): void;
}

/** A {@link MessageLogger} that writes nothing: for a caller that has no use for the lines. */
export const discardingLogger: MessageLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** How a message is written: one row of docs/reference/log-messages.md. */
export interface LogMessageDoc {
  /** The level it is written at. */
  readonly level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'INFO, or ERROR when the run failed';
  /** Its own fields, besides those every line of its writer carries. */
  readonly fields: readonly string[];
  /** When it is written and what it means. */
  readonly means: string;
}

/**
 * Every `JobLog` message, documented (the type makes a new message need its row). Only the
 * docs read it: esbuild leaves it out of the bundles (keep it free of spreads and calls).
 */
export const jobLogDocs: { readonly [K in keyof typeof JobLog]: LogMessageDoc } = {
  JobStarted: {
    level: 'INFO',
    fields: [
      'scheduledTime',
      'startedAt',
      'deadline',
      'trigger',
      'dryRun',
      'eventId',
      'executionId',
      'attempt',
      'scheduleArn',
    ],
    means:
      "A run began. `trigger` is `schedule` or `manual`; `eventId` comes with an EventBridge rule's event, `executionId`, `attempt` and `scheduleArn` with EventBridge Scheduler's input.",
  },
  JobFinished: {
    level: 'INFO, or ERROR when the run failed',
    fields: [
      'trigger',
      'scheduledTime',
      'startedAt',
      'endedAt',
      'durationMs',
      'outcome',
      'result',
      'error',
      'reason',
    ],
    means:
      "Exactly one per run: its record. `outcome` is `succeeded`, `failed`, `skipped` or `cut_short`; then `result` (the job's summary, see [result fields](result-fields.md)), `error` (`name`, `message`, `stack`, `code`, `fault`, `cause`) or `reason` (skipped, cut short).",
  },
  EventRejected: {
    level: 'ERROR',
    fields: ['job', 'error'],
    means:
      'The event is none the handler takes (a Scheduled Event, the Scheduler input, `{}` or `{"dryRun": true}`); nothing ran.',
  },
  DatabaseConnectionLost: {
    level: 'WARN',
    fields: ['error'],
    means: 'The kept database session failed; the next run connects afresh.',
  },
  ClaimTakenOver: {
    level: 'WARN',
    fields: ['previousRunId', 'expiredAt', 'reason'],
    means:
      "The run took over its job's claim, which a run that crashed or was killed left to expire (`expiredAt`, the end of that run's time); the run goes on.",
  },
  ClaimTableMissing: {
    level: 'WARN',
    fields: ['table', 'consequence', 'fix'],
    means:
      'The claims table (`maintenance_job_claims`) does not exist: the run goes on without the overlap guard (every job is safe to run twice); `fix` is its DDL and the `--migrate` command.',
  },
  ClaimTableDenied: {
    level: 'WARN',
    fields: ['table', 'consequence', 'fix'],
    means:
      "The job's role may not write the claims table: the run goes on without the overlap guard; `fix` is the `GRANT` it needs.",
  },
  ClaimNotReleased: {
    level: 'WARN',
    fields: ['expiresAt', 'error'],
    means:
      "The run's claim could not be deleted at its end, even on a new connection: it lapses at `expiresAt`, and runs until then are skipped.",
  },
  DeletingExpiredRows: {
    level: 'INFO',
    fields: ['table', 'cutoff', 'deleted', 'batches'],
    means: "A purge's progress: after a batch, at most every 10 s.",
  },
  DryRunCount: {
    level: 'INFO',
    fields: ['table', 'cutoff', 'wouldDelete', 'columnCutoff', 'partitions', 'oldestRow'],
    means:
      "A dry run's count of the rows (and, in `partitions.wouldRemove`, the partitions) a real run would remove: the result's fields.",
  },
  ExpiredRowsDeleted: {
    level: 'INFO',
    fields: [
      'table',
      'cutoff',
      'deleted',
      'batches',
      'strategy',
      'strategyReason',
      'lockedRows',
      'refusedRows',
      'refused',
      'settledBatchSize',
      'partitions',
      'oldestRow',
    ],
    means:
      "A purge ended with no expired row left: the result's fields; `oldestRow` is the oldest row left, measured after the run.",
  },
  LockedRowsLeft: {
    level: 'INFO',
    fields: ['the fields of `expired rows deleted`'],
    means:
      'A purge ended, leaving expired rows that other sessions had locked; the next run retries them.',
  },
  RefusedRowsLeft: {
    level: 'INFO',
    fields: ['the fields of `expired rows deleted`'],
    means:
      'A purge ended, leaving expired rows the database refused to delete (a foreign key that restricts, a trigger that raises); they stay until it lets them go, and the run is `cut_short`.',
  },
  StoppedEarly: {
    level: 'INFO',
    fields: ['the fields of `expired rows deleted`'],
    means:
      'A purge stopped between batches at its deadline or at a shutdown; the next run goes on.',
  },
  RowsRefused: {
    level: 'WARN',
    fields: ['table', 'reason', 'code', 'rows', 'notIsolated', 'advice'],
    means:
      "Expired rows the database refused to delete were left in place, the rest deleted: `reason` is the constraint's name or the error's message (a trigger), `code` its SQLSTATE; one line per table, reason and code.",
  },
  ForeignKeyUnindexed: {
    level: 'WARN',
    fields: [
      'table',
      'constraint',
      'referencingTable',
      'columns',
      'onDelete',
      'consequence',
      'createIndex',
    ],
    means:
      'A foreign key that references the table has no index on its columns, so each deleted row scans the referencing table; `createIndex` is the statement that makes one. Once per run.',
  },
  BatchRetriedSmaller: {
    level: 'WARN',
    fields: ['table', 'statementTimeoutMs', 'previousBatchSize', 'batchSize', 'minBatchSize'],
    means:
      "A batch passed its statement timeout and was rolled back; it is retried with fewer rows, down to `minBatchSize` (the result's `settledBatchSize` is where it settled).",
  },
  NoIndex: {
    level: 'WARN',
    fields: ['table', 'column', 'consequence', 'createIndex'],
    means:
      'No index can find the expired rows (no b-tree with the cleanup column, no BRIN index on it): the run sweeps the whole heap. `createIndex` is the statement to run.',
  },
  BetterIndex: {
    level: 'WARN',
    fields: ['table', 'column', 'path', 'reason', 'createIndex'],
    means:
      'The table has an index the cleanup uses, but it cannot narrow the run well (`reason`: a BRIN index on a heap not in time order, a composite b-tree without skip scan): `createIndex` is the index that would. `path` is the path taken.',
  },
  IndexWalkTooSlow: {
    level: 'WARN',
    fields: ['table', 'index', 'limitMs', 'deadRows', 'oldestSnapshot', 'reason'],
    means:
      'The first walk of the index timed out (dead entries a long-held snapshot keeps): the run sweeps the heap instead. `oldestSnapshot` names the holder (`kind`, `who`, `xminAge`, `since`).',
  },
  PartitionsNotRemoved: {
    level: 'INFO',
    fields: ['table', 'reason'],
    means:
      'The table is partitioned, but not by range on the cleanup column: its partitions are batch-deleted one by one.',
  },
  PartitionDropped: {
    level: 'INFO',
    fields: ['partition', 'rows', 'rowsCountedBy'],
    means: 'A partition wholly before the cutoff was dropped.',
  },
  PartitionDetached: {
    level: 'INFO',
    fields: ['partition', 'rows', 'rowsCountedBy'],
    means:
      'A partition wholly before the cutoff was detached and kept as a table (`<PREFIX>_PARTITIONS=detach`).',
  },
  PartitionBatchDeleted: {
    level: 'WARN',
    fields: ['table', 'partition', 'reason', 'advice'],
    means:
      'Something depends on an expired partition (a view, a foreign key): its rows are batch-deleted and the partition stays. `reason` names what depends on it.',
  },
  PartitionLeft: {
    level: 'WARN',
    fields: ['table', 'partition', 'reason', 'advice'],
    means:
      'An expired partition was left for the next run: its lock was not granted within 50 ms, or (sub-partitioned) something depends on it.',
  },
  PgPartmanAlso: {
    level: 'WARN',
    fields: ['table', 'partmanRetention', 'partmanKeepsTables', 'advice'],
    means: "pg_partman's own retention is set on the same table: both remove partitions; keep one.",
  },
  PartitionMade: {
    level: 'INFO',
    fields: ['table', 'partition', 'from', 'to'],
    means:
      'A coming partition was made (`<PREFIX>_PREMAKE` periods after the current one get one), named as the table names its partitions.',
  },
  PartitionNotMade: {
    level: 'WARN',
    fields: ['table', 'partition', 'from', 'to', 'reason', 'rowsInDefault', 'detail', 'advice'],
    means:
      'A coming partition was not made: `default_holds_rows` (the DEFAULT partition holds `rowsInDefault` rows of its range, and PostgreSQL refuses it), `lock_timeout`, `statement_timeout` (the DEFAULT partition took too long to scan), `name_taken`, `overlaps`, `refused` (`detail` says why) or `stopped`. The next run tries again; `advice` says what lets it.',
  },
  PremakeSkipped: {
    level: 'WARN',
    fields: ['table', 'reason', 'advice'],
    means:
      "No partition is made ahead this run: the job's role may not (`advice` names the grant), or no period can be read from the partitions (none with both bounds, the latest two of different lengths, one reaching MAXVALUE, a sub-partitioned one, a key of several columns).",
  },
  DefaultPartitionRows: {
    level: 'WARN',
    fields: ['table', 'partition', 'rows', 'expiredRows', 'countedBy', 'atLeast'],
    means:
      'After the run, the DEFAULT partition holds `rows` rows that belong to a period (`expiredRows` of them before the cutoff), counted on its index: they stay there until they expire, and block their partition. The `DefaultPartitionRows` metric and its alarm say the same.',
  },
  DefaultPartitionNotCounted: {
    level: 'WARN',
    fields: ['table', 'partition', 'reason'],
    means:
      "The DEFAULT partition's rows could not be counted after the run (a timeout, a privilege the job's role lacks on it): no `DefaultPartitionRows` metric this run.",
  },
  OldestRowNotMeasured: {
    level: 'WARN',
    fields: ['table', 'reason'],
    means:
      'The oldest row left after the run could not be measured (a statement or lock timeout, row-level security that may hide rows, ...): the result\'s `oldestRow` says `not measured`, and no `OldestRowOverdue` metric is published, so the "retention breached" alarm keeps its last state.',
  },
  ReplicaLagPause: {
    level: 'WARN',
    fields: ['standby', 'clientAddr', 'lagSeconds', 'bytesBehind', 'maxLagSeconds', 'setting'],
    means:
      "A standby's `replay_lag` (from `pg_stat_replication`, the one that lags most) passed `<PREFIX>_MAX_REPLICA_LAG_SECONDS` (`setting`): no new batch starts until every standby is back under it, looked at every second; the wait counts against the deadline. `standby` is its `application_name`, `clientAddr` its address, `bytesBehind` the WAL it has not replayed.",
  },
  ReplicaCaughtUp: {
    level: 'INFO',
    fields: ['standby', 'waitedMs'],
    means:
      "The standbys are back under the maximum lag: the batches go on. `waitedMs` is how long this pause lasted (the result's `replicaWaitMs` adds up every pause).",
  },
  ReplicaLagUnreadable: {
    level: 'WARN',
    fields: ['standbys', 'reason', 'consequence', 'fix'],
    means:
      "The job's role cannot read its standbys' lag (`pg_stat_replication` shows their figures to superusers and `pg_read_all_stats` only), or the query failed: the run goes on without pausing for them. `fix` is the `GRANT` it needs. Once per run.",
  },
  PartitionRightsMissing: {
    level: 'WARN',
    fields: ['table', 'role', 'partitions', 'deletedThrough', 'consequence', 'fix', 'moreFixes'],
    means:
      "Once a run: the job's role may not remove the expired `partitions` whole (dropping one needs its ownership, detaching needs the parent's), or may not read some partition directly, so their rows are deleted in batches, through each partition or, when it may not read one, through the parent (`deletedThrough`); all expired rows still go. `fix` lists the `ALTER TABLE ... OWNER TO` or `GRANT` statements that let it remove them whole (`moreFixes` counts those left out, all alike). See [the jobs' role](../deploy.md#the-jobs-database-role).",
  },
};

/** Every `HarnessLog` message, documented. */
export const harnessLogDocs: { readonly [K in keyof typeof HarnessLog]: LogMessageDoc } = {
  SchedulerStarted: {
    level: 'INFO',
    fields: ['jobs'],
    means:
      'The local scheduler armed its jobs: each with `job`, `schedule`, `timeZone`, `nextRun`.',
  },
  SchedulerStopping: {
    level: 'INFO',
    fields: ['running', 'timeoutMs'],
    means: "A stop began: nothing new is scheduled, running jobs' signals are aborted.",
  },
  SchedulerStopped: {
    level: 'INFO',
    fields: ['settled', 'abandoned'],
    means: 'Every running job settled within the shutdown timeout.',
  },
  SchedulerAbandoning: {
    level: 'ERROR',
    fields: ['settled', 'abandoned'],
    means: 'The shutdown timeout passed with runs still going: they are abandoned.',
  },
  ScheduleEnded: {
    level: 'INFO',
    fields: ['job', 'schedule'],
    means: 'A schedule has no fire time left (a cron with a last year).',
  },
  MissedFires: {
    level: 'WARN',
    fields: ['job', 'missed', 'firstMissed', 'runningFor', 'reason'],
    means:
      'Fire times passed while the process could not run (the machine slept): the job runs once, for the latest.',
  },
  FireSkipped: {
    level: 'WARN',
    fields: ['job', 'scheduledTime', 'reason'],
    means: "A fire came while the job's previous run was still going: not started twice.",
  },
  RunFailed: {
    level: 'ERROR',
    fields: ['job', 'error'],
    means:
      'A handler threw something other than a failed run (which the runner logs itself), e.g. a rejected event. The scheduler goes on.',
  },
  JobsPaused: {
    level: 'INFO',
    fields: ['jobs', 'reason'],
    means: 'Jobs with `enabled: false` in the catalogue, which `start` does not schedule.',
  },
  ShuttingDown: {
    level: 'INFO',
    fields: ['reason', 'timeoutMs'],
    means: '`start` was asked to stop (a signal, or its output closing).',
  },
  ShutDown: {
    level: 'INFO',
    fields: ['abandoned'],
    means: '`start` has stopped: sessions closed, the embedded database stopped.',
  },
  HistoryNotWritten: {
    level: 'WARN',
    fields: ['job', 'runId', 'error'],
    means:
      "A run's record could not be added to the local run history; the run itself is unaffected.",
  },
  StartingEmbeddedPostgres: {
    level: 'INFO',
    fields: ['dataDir'],
    means: 'No `DATABASE_URL`: the embedded PostgreSQL is starting.',
  },
  EmbeddedPostgresLeftBehind: {
    level: 'INFO',
    fields: ['dataDir', 'pid', 'port', 'cleared', 'detail'],
    means:
      "What a killed process left on the embedded cluster's folder was cleared before the start: `cleared` is `server stopped` (a server still running on it, PID `pid`) or `pid file removed` (a `postmaster.pid` whose process is gone); `detail` says it in a sentence.",
  },
  EmbeddedPostgresKilled: {
    level: 'WARN',
    fields: ['dataDir', 'pid', 'timeoutMs'],
    means:
      'An embedded server this process did not start (left behind, or stopped by `db --stop`) did not stop within `timeoutMs` of a fast shutdown: it was sent SIGKILL.',
  },
  EmbeddedPostgresOutput: {
    level: 'DEBUG',
    fields: ['program', 'line'],
    means:
      "A line of the embedded server's own output (`program` `postgres`) or of `initdb`'s, as it wrote it. At DEBUG: shown with `POWERTOOLS_LOG_LEVEL=DEBUG`; a failed start's error carries the last 30 lines anyway. A `background` server (`db`) writes its output to `postgres.log` in its folder instead.",
  },
  EmbeddedPostgresPortTaken: {
    level: 'DEBUG',
    fields: ['port', 'attempt'],
    means:
      'Another process took the free port picked for the embedded server before it could bind it: the start is retried on another (3 attempts).',
  },
  InitialisingCluster: {
    level: 'INFO',
    fields: ['dataDir'],
    means: "The embedded server's folder holds no cluster yet: `initdb` makes one (a first start).",
  },
  CreatingOsUser: {
    level: 'INFO',
    fields: ['user'],
    means:
      'PostgreSQL refuses to run as root, and this process is root: it creates the system user the server runs as (no home, no login shell), once per machine.',
  },
  FolderMadeTraversable: {
    level: 'INFO',
    fields: ['path', 'mode', 'user'],
    means:
      'Running as root, the embedded server\'s OS user `user` could not enter a folder on the way to its data or binaries: the folder\'s "others may search" bit was added (`mode`, now; enter, not list).',
  },
  SchemaMigrated: {
    level: 'INFO',
    fields: ['applied'],
    means: 'The migrations not yet applied were (embedded database, or `--migrate`).',
  },
  LocationsPartitioned: {
    level: 'INFO',
    fields: ['converted', 'rowsMoved', 'partitionsCreated'],
    means:
      '`--partitioned`: the embedded `locations` was converted to day partitions up to today, its rows moved (once; the cleanup makes the days to come). `converted` is always true.',
  },
  DemoDataWritten: {
    level: 'INFO',
    fields: ['devices', 'locations', 'idempotencyKeys'],
    means: 'Demo data went in (an embedded database with no devices, or `--seed`).',
  },
  EmbeddedPostgresAlreadyRunning: {
    level: 'INFO',
    fields: ['pid', 'port', 'startedBy', 'ownerPid'],
    means:
      'The embedded server was already running on its folder and is shared: `startedBy` is `background` (`npm run jobs -- db` started it; `db --stop` stops it) or `process` (the `start` or `run` with `ownerPid` stops it when it ends).',
  },
  DatabaseReady: {
    level: 'INFO',
    fields: ['embedded', 'url', 'serverVersion', 'dataDir'],
    means:
      'The database the jobs will use, password masked; `serverVersion` and `dataDir` for the embedded one.',
  },
  TriggerChangedByHand: {
    level: 'WARN',
    fields: ['job', 'stackName', 'paused', 'deployedPaused', 'keep'],
    means:
      '`pause --aws` or `resume --aws` changed the trigger by hand (`paused`, now); the next deploy puts back what the stack was deployed with (`deployedPaused`). `keep` is how to deploy so that the change stays.',
  },
};
