/**
 * One short line for people per JSON log line of the handlers and the harness, e.g.
 * `10:15:00  location-cleanup  succeeded  812 ms  deleted 100,356 rows in 11 batches`.
 * Times are UTC, like the schedules.
 */
import { HarnessLog, JobLog } from '../../functions/log-messages.js';
import { type NotMadeReason, notMadeText } from '../../functions/retention/partition-premake.js';
import type { ErrorDetails, JobResult } from '../../functions/runner/types.js';
import { formatClockTime, formatCount, formatDuration, formatSpan } from './format-values.js';
import { outcomeLabel, summarizeError, summarizeRun } from './run-summary.js';

/** A parsed JSON line: a Powertools log line or an embedded-metric-format record. */
export type LogLine = Readonly<Record<string, unknown>>;

/** Options of {@link formatLogLine}. */
export interface HumanLineOptions {
  /**
   * The width the job column is padded to, so that the event column lines up.
   * @default 0 - no padding
   */
  readonly jobWidth?: number;
}

/** The width of the event column (`succeeded`, `cut short`, `progress`, ...). */
const eventWidth = 9;

/** Keys every Powertools line has (or has in Lambda): never worth a person's attention. */
const standardKeys = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
  'job',
  'runId',
]);

type Formatter = (line: LogLine, event: EventLine) => string | undefined;

/** Builds `time  job  event  details` lines for one log line. */
type EventLine = (event: string, details?: string, job?: string) => string;

const formatters: Readonly<Record<string, Formatter>> = {
  [JobLog.JobStarted]: (line, event) => {
    const manual = line.trigger === 'manual';
    const when = manual ? 'manual run' : `scheduled for ${clock(line.scheduledTime)}`;
    return event('started', `${when}${line.dryRun === true ? ', dry run' : ''}`);
  },
  [JobLog.JobFinished]: (line, event) =>
    event(
      outcomeLabel(String(line.outcome)),
      joinParts(
        typeof line.durationMs === 'number' ? formatDuration(line.durationMs) : undefined,
        summarizeRun({
          outcome: String(line.outcome),
          ...(isObject(line.result) ? { result: line.result as JobResult } : {}),
          ...(isObject(line.error) ? { error: line.error as unknown as ErrorDetails } : {}),
          ...(typeof line.reason === 'string' ? { reason: line.reason } : {}),
        }),
      ),
    ),
  [JobLog.EventRejected]: (line, event) => event('rejected', errorOf(line)),
  // The purge jobs' own lines: progress of a long run; the totals are on `job finished`.
  [JobLog.DeletingExpiredRows]: (line, event) =>
    event(
      'progress',
      `deleted ${formatCount(Number(line.deleted))} rows so far in ${formatCount(Number(line.batches))} batches`,
    ),
  [JobLog.DryRunCount]: () => undefined,
  [JobLog.PartitionDropped]: (line, event) =>
    event(
      '',
      `dropped partition ${String(line.partition)} (${formatCount(Number(line.rows))} rows, by ${String(line.rowsCountedBy)})`,
    ),
  [JobLog.PartitionDetached]: (line, event) =>
    event(
      '',
      `detached partition ${String(line.partition)} (${formatCount(Number(line.rows))} rows, by ${String(line.rowsCountedBy)})`,
    ),
  [JobLog.PartitionMade]: (line, event) =>
    event(
      '',
      `made partition ${String(line.partition)} ahead, from ${String(line.from)} to ${String(line.to)}`,
    ),
  [JobLog.PartitionNotMade]: (line, event) =>
    event(
      'warning',
      `partition ${String(line.partition)} (from ${String(line.from)} to ${String(line.to)}) not made: ${notMadeWhy(line)}; ${String(line.advice)}`,
    ),
  [JobLog.PremakeSkipped]: (line, event) =>
    event(
      'warning',
      `no partitions of ${String(line.table)} made ahead: ${String(line.reason)}${typeof line.advice === 'string' ? `; ${line.advice}` : ''}`,
    ),
  [JobLog.DefaultPartitionRows]: (line, event) =>
    event(
      'warning',
      `${line.atLeast === true ? 'at least ' : ''}${formatCount(Number(line.rows))} rows of ${String(line.table)} wait in the DEFAULT partition ${String(line.partition)} (${formatCount(Number(line.expiredRows))} of them expired): they stay there until they expire, and block their partitions`,
    ),
  [JobLog.DefaultPartitionNotCounted]: (line, event) =>
    event(
      'warning',
      `the DEFAULT partition ${String(line.partition)} was not counted: ${String(line.reason)}`,
    ),
  [JobLog.RowsRefused]: (line, event) =>
    event(
      'warning',
      `${formatCount(Number(line.rows))} expired ${Number(line.rows) === 1 ? 'row' : 'rows'} of ${String(line.table)} left: ${refusal(line)}`,
    ),
  [JobLog.ForeignKeyUnindexed]: (line, event) =>
    event(
      'warning',
      `foreign key ${String(line.constraint)} has no index on ${String(line.referencingTable)} (${String(line.columns)}): each deleted row of ${String(line.table)} scans it; run ${String(line.createIndex)}`,
    ),
  [JobLog.OldestRowNotMeasured]: (line, event) =>
    event(
      'warning',
      `the oldest row left in ${String(line.table)} was not measured: ${String(line.reason)}`,
    ),
  [JobLog.PartitionRightsMissing]: (line, event) => {
    const fixes = Array.isArray(line.fix) ? line.fix.map(String) : [];
    const more = fixes.length - 1 + (typeof line.moreFixes === 'number' ? line.moreFixes : 0);
    return event(
      'warning',
      `${String(line.consequence)} (deleted through ${String(line.deletedThrough)}); to remove them whole, run ${fixes[0] ?? 'the fix'}${more > 0 ? ` and ${more} more alike` : ''}`,
    );
  },
  [JobLog.BatchRetriedSmaller]: (line, event) =>
    event(
      'warning',
      `a batch of ${formatCount(Number(line.previousBatchSize))} rows of ${String(line.table)} passed its ${formatDuration(Number(line.statementTimeoutMs))} statement timeout: retrying with ${formatCount(Number(line.batchSize))}`,
    ),
  [JobLog.ReplicaLagPause]: (line, event) =>
    event(
      'waiting',
      `standby ${standbyName(line)} is ${Number(line.lagSeconds).toFixed(1)} s behind (more than ${String(line.setting)}, ${String(line.maxLagSeconds)} s): batches paused until it catches up`,
    ),
  [JobLog.ReplicaCaughtUp]: (line, event) =>
    event('', `standbys caught up after ${formatDuration(Number(line.waitedMs))}: batches resumed`),
  [JobLog.ReplicaLagUnreadable]: (line, event) =>
    event(
      'warning',
      `standby lag unreadable, batches not paused for standbys: ${String(line.reason)}${line.fix ? `; run ${String(line.fix)}` : ''}`,
    ),
  // The harness's lines.
  [HarnessLog.StartingEmbeddedPostgres]: (line, event) =>
    event('', `starting the embedded PostgreSQL (data in ${String(line.dataDir)})`),
  [HarnessLog.EmbeddedPostgresLeftBehind]: (line, event) =>
    event('', `embedded PostgreSQL left behind by an earlier run: ${String(line.detail)}`),
  [HarnessLog.EmbeddedPostgresKilled]: (line, event) =>
    event(
      'warning',
      `the embedded PostgreSQL (PID ${String(line.pid)}) did not stop within ${formatDuration(Number(line.timeoutMs))}: killed it`,
    ),
  [HarnessLog.EmbeddedPostgresOutput]: (line, event) =>
    event('', `${String(line.program)}: ${String(line.line)}`),
  [HarnessLog.EmbeddedPostgresPortTaken]: (line, event) =>
    event(
      '',
      `port ${String(line.port)} was taken before the server could bind it: trying another`,
    ),
  [HarnessLog.InitialisingCluster]: (line, event) =>
    event('', `initialising a PostgreSQL cluster in ${String(line.dataDir)}`),
  [HarnessLog.CreatingOsUser]: (line, event) =>
    event('', `running as root: creating the "${String(line.user)}" OS user to run PostgreSQL as`),
  [HarnessLog.FolderMadeTraversable]: (line, event) =>
    event(
      '',
      `made ${String(line.path)} traversable for the "${String(line.user)}" OS user (mode ${String(line.mode)})`,
    ),
  [HarnessLog.EmbeddedPostgresAlreadyRunning]: (line, event) =>
    event(
      '',
      line.startedBy === 'background'
        ? `using the embedded PostgreSQL running in the background (PID ${String(line.pid)}): it keeps running (npm run jobs -- db --stop stops it)`
        : `using the embedded PostgreSQL that PID ${String(line.ownerPid)} started (PID ${String(line.pid)}): it stops when that process ends`,
    ),
  [HarnessLog.SchemaMigrated]: (line, event) => {
    const applied = Array.isArray(line.applied) ? line.applied.map(String) : [];
    return applied.length > 0 ? event('', `schema migrated: ${applied.join(', ')}`) : undefined;
  },
  [HarnessLog.LocationsPartitioned]: (line, event) =>
    event(
      '',
      `locations partitioned by day: ${formatCount(Number(line.rowsMoved))} rows moved into ${formatCount(Number(line.partitionsCreated))} day partitions and a DEFAULT one (the cleanup makes the days to come)`,
    ),
  [HarnessLog.DemoDataWritten]: (line, event) =>
    event(
      '',
      `demo data written: ${formatCount(Number(line.devices))} devices, ${formatCount(Number(line.locations))} locations, ${formatCount(Number(line.idempotencyKeys))} idempotency keys`,
    ),
  [HarnessLog.DatabaseReady]: (line, event) =>
    event(
      '',
      line.embedded === true
        ? `embedded PostgreSQL ${String(line.serverVersion)} at ${String(line.url)} (psql: npm run jobs -- db)`
        : `database at ${String(line.url)} (DATABASE_URL)`,
    ),
  [HarnessLog.SchedulerStarted]: (line, event) => {
    const jobs = Array.isArray(line.jobs) ? (line.jobs as LogLine[]) : [];
    const next = jobs.map((job) => `${String(job.job)} next at ${clock(job.nextRun)}`);
    return event('', `scheduler started: ${next.join(', ')} (UTC); Ctrl-C stops`);
  },
  [HarnessLog.JobsPaused]: (line, event) =>
    event('', `paused, not scheduled: ${list(line.jobs)} (enabled: false in the catalogue)`),
  [HarnessLog.HistoryNotWritten]: (line, event) =>
    event('warning', `run history not written: ${errorOf(line)}`),
  [HarnessLog.FireSkipped]: (line, event) =>
    event('skipped', `fire of ${clock(line.scheduledTime)}: ${String(line.reason)}`),
  [HarnessLog.MissedFires]: (line, event) =>
    event(
      'missed',
      `${formatCount(Number(line.missed))} fires, from ${clock(line.firstMissed)}: ${String(line.reason)}`,
    ),
  [HarnessLog.RunFailed]: (line, event) => event('failed', errorOf(line)),
  [HarnessLog.ScheduleEnded]: (line, event) =>
    event('ended', `no more fires for ${String(line.schedule)}`),
  [HarnessLog.ShuttingDown]: (line, event) =>
    event(
      '',
      `shutting down (${String(line.reason)}): waiting up to ${formatDuration(Number(line.timeoutMs))} for running jobs`,
    ),
  [HarnessLog.SchedulerStopping]: () => undefined,
  [HarnessLog.SchedulerStopped]: () => undefined,
  [HarnessLog.SchedulerAbandoning]: (line, event) =>
    event('', `abandoned, still running at the shutdown timeout: ${list(line.abandoned)}`),
  [HarnessLog.ShutDown]: (_line, event) => event('', 'shut down'),
  // The `--aws` commands' diagnostics.
  [HarnessLog.TriggerChangedByHand]: (line, event) =>
    event(
      'warning',
      `the next deploy restores what the catalogue and context say (this stack was deployed with ${String(line.job)} ${line.deployedPaused === true ? 'paused' : 'enabled'}); ${String(line.keep)}`,
    ),
};

/** `replica-a (10.0.0.5)`: a standby's name and, when known, its address. */
function standbyName(line: LogLine): string {
  return typeof line.clientAddr === 'string'
    ? `${String(line.standby)} (${line.clientAddr})`
    : String(line.standby);
}

/**
 * The line for people, or `undefined` for a line that only repeats what another says (the
 * purge's totals, which `job finished` also has). Lines nobody formats specially show their
 * message and plain fields.
 */
export function formatLogLine(line: LogLine, options: HumanLineOptions = {}): string | undefined {
  if (isObject(line._aws)) return formatMetrics(line, options);
  const time = clock(line.timestamp);
  const lineJob = typeof line.job === 'string' ? line.job : undefined;
  const event: EventLine = (name, details, job = lineJob) => {
    const columns = [time];
    if (job !== undefined) columns.push(job.padEnd(options.jobWidth ?? 0));
    if (name) columns.push(name.padEnd(eventWidth));
    if (details) columns.push(details);
    return columns.join('  ').trimEnd();
  };
  const message = typeof line.message === 'string' ? line.message : '';
  // The purge's totals (`expired rows deleted`, `..., stopped early`, ...): on `job finished` too.
  if (message.startsWith(JobLog.ExpiredRowsDeleted)) return undefined;
  const formatter = formatters[message];
  if (formatter) return formatter(line, event);
  return event(levelMark(line.level), joinParts(message, plainFields(line)));
}

function formatMetrics(line: LogLine, options: HumanLineOptions): string {
  const aws = line._aws as {
    Timestamp?: number;
    CloudWatchMetrics?: { Metrics?: { Name: string; Unit?: string }[] }[];
  };
  const metrics = aws.CloudWatchMetrics?.flatMap((group) => group.Metrics ?? []) ?? [];
  const values = metrics.map(({ Name, Unit }) => {
    const value = Number(line[Name]);
    const shown =
      Unit === 'Milliseconds'
        ? formatDuration(value)
        : Unit === 'Seconds'
          ? formatSpan(value)
          : formatCount(value);
    return `${Name} ${shown}`;
  });
  const columns = [clock(aws.Timestamp)];
  if (typeof line.job === 'string') columns.push(line.job.padEnd(options.jobWidth ?? 0));
  columns.push('metrics'.padEnd(eventWidth), values.join(', '));
  return columns.join('  ');
}

/** Why a coming partition was not made, in words (with the DEFAULT's rows, or what the database said). */
function notMadeWhy(line: LogLine): string {
  const reason = String(line.reason);
  if (typeof line.rowsInDefault === 'number') {
    return `the DEFAULT partition holds ${formatCount(line.rowsInDefault)} rows of its range`;
  }
  const text = notMadeText[reason as NotMadeReason] ?? reason;
  return typeof line.detail === 'string' ? `${text} (${line.detail})` : text;
}

/** `refused by trips_start_fkey (23001)`, or `the database said "..." (P0001)`. */
function refusal(line: LogLine): string {
  const code = String(line.code);
  const reason = String(line.reason);
  // Integrity constraints (class 23) are named; anything else is the error's own message.
  return code.startsWith('23')
    ? `refused by ${reason} (${code})`
    : `the database said ${JSON.stringify(reason)} (${code})`;
}

function levelMark(level: unknown): string {
  return level === 'WARN' ? 'warning' : level === 'ERROR' || level === 'CRITICAL' ? 'error' : '';
}

/** The line's own scalar fields, `name value`, after its message. */
function plainFields(line: LogLine): string {
  return Object.entries(line)
    .filter(([key, value]) => !standardKeys.has(key) && isScalar(value))
    .map(
      ([key, value]) => `${key} ${typeof value === 'number' ? formatCount(value) : String(value)}`,
    )
    .join(', ');
}

function errorOf(line: LogLine): string {
  return isObject(line.error) ? summarizeError(line.error as unknown as ErrorDetails) : '';
}

function clock(value: unknown): string {
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  return Number.isNaN(ms) ? '--:--:--' : formatClockTime(ms);
}

function list(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

function joinParts(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join('  ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return ['string', 'number', 'boolean'].includes(typeof value);
}
