/**
 * The metrics every run publishes (CloudWatch embedded metric format), shared by the runner
 * and the CDK stack's alarms and dashboard. Plain constants: importing this loads no job code.
 */
export const runMetrics = {
  /** Service name set on every function (`POWERTOOLS_SERVICE_NAME`), a metric dimension. */
  serviceName: 'location-maintenance-jobs',
  /** Default CloudWatch namespace (`POWERTOOLS_METRICS_NAMESPACE`). */
  namespace: 'LocationMaintenanceJobs',
  /** Dimension holding the job's catalogue name, next to Powertools' `service` dimension. */
  jobDimension: 'job',
  /** 1 per run, whatever its outcome. */
  runs: 'Runs',
  /** 1 per run that did all its work. */
  succeeded: 'Succeeded',
  /** 1 per run stopped early by its deadline (it made progress; the next run goes on). */
  cutShort: 'CutShort',
  /** 1 per run skipped because another run held the job's claim. */
  skipped: 'Skipped',
  /** 1 per failed run. */
  failures: 'Failures',
  /** Run duration, milliseconds. */
  duration: 'Duration',
  /** Rows a cleanup job deleted in the run (published by the jobs themselves). */
  rowsDeleted: 'RowsDeleted',
  /**
   * Expired rows a cleanup job left because the database refuses to delete them (a foreign
   * key that restricts, a trigger that raises), in the run (published by the jobs themselves).
   */
  rowsRefused: 'RowsRefused',
  /**
   * Rows that belong to a period (a value in the column) in the DEFAULT partition of a cleanup
   * job's table after its run: what the "rows in the DEFAULT partition" alarm reads.
   */
  defaultPartitionRows: 'DefaultPartitionRows',
  /**
   * How long before the run's cutoff the oldest row left lies, in seconds (0 when no expired
   * row is left), measured after each run of a cleanup job: what the "retention breached"
   * alarm reads.
   */
  oldestRowOverdue: 'OldestRowOverdue',
  /** The age of the oldest row left after a cleanup job's run, in seconds. */
  oldestRowAge: 'OldestRowAge',
} as const;

/** The keys of `runMetrics` that name a metric (the others are its namespace and dimensions). */
export type RunMetricName = Exclude<
  keyof typeof runMetrics,
  'serviceName' | 'namespace' | 'jobDimension'
>;

/** How a metric is published: one row of docs/reference/metrics.md (`npm run docs`). */
export interface RunMetricDoc {
  /** Its CloudWatch unit, as the runner or the job publishes it. */
  readonly unit: 'Count' | 'Milliseconds' | 'Seconds';
  /** Who publishes it, once per run. */
  readonly publishedBy: 'every run' | 'the purge jobs';
  /** What it counts, and what reads it in the stack. */
  readonly means: string;
}

/** Every metric, documented (the type makes a new metric need its row). */
export const runMetricDocs: { readonly [K in RunMetricName]: RunMetricDoc } = {
  runs: { unit: 'Count', publishedBy: 'every run', means: '1 per run, whatever its outcome.' },
  succeeded: {
    unit: 'Count',
    publishedBy: 'every run',
    means:
      '1 per run that did all its work. With `CutShort`, what the "no successful run" alarm counts.',
  },
  cutShort: {
    unit: 'Count',
    publishedBy: 'every run',
    means:
      '1 per run stopped between units of work by its deadline or a shutdown; it made progress and the next run goes on.',
  },
  skipped: {
    unit: 'Count',
    publishedBy: 'every run',
    means: "1 per run skipped because another run held the job's claim.",
  },
  failures: {
    unit: 'Count',
    publishedBy: 'every run',
    means:
      '1 per failed run (the "errors" alarm reads Lambda\'s own `Errors`, which also counts timeouts and crashes).',
  },
  duration: {
    unit: 'Milliseconds',
    publishedBy: 'every run',
    means: 'The run, from `job started` to `job finished` (`durationMs`).',
  },
  rowsDeleted: {
    unit: 'Count',
    publishedBy: 'the purge jobs',
    means:
      'Rows the run deleted, those of partitions removed whole included, also when a later batch failed; not those of a batch whose COMMIT outcome is unknown.',
  },
  rowsRefused: {
    unit: 'Count',
    publishedBy: 'the purge jobs',
    means:
      'Expired rows the database refused to delete (a foreign key that restricts, a trigger that raises), left in place (0 when none).',
  },
  defaultPartitionRows: {
    unit: 'Count',
    publishedBy: 'the purge jobs',
    means:
      'Rows left in the DEFAULT partition after the run that belong to a period (a value in the column, before or after the cutoff), counted on its index, at most 100,000 on each side of the cutoff; published only for a table range-partitioned by the column with a DEFAULT partition, after every run (dry runs and runs whose batch failed too) whose count succeeded. The "rows in the DEFAULT partition" alarm fires when it stays at 1 or more.',
  },
  oldestRowOverdue: {
    unit: 'Seconds',
    publishedBy: 'the purge jobs',
    means:
      'How long before the run\'s cutoff the oldest row left after the run lies (0 when no expired row is left): measured after every run, a dry run and a run whose batch failed too, not when the measurement failed (`oldest row not measured`). The "retention breached" alarm fires when it exceeds the job\'s slack.',
  },
  oldestRowAge: {
    unit: 'Seconds',
    publishedBy: 'the purge jobs',
    means:
      "The age of the oldest row left after the run, on the database's clock (idempotency-key-purge: how long ago the oldest key left expired, negative when none has); not published when the table is empty, or when only expired rows could be read (no b-tree index on the column) and none is left.",
  },
};
