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
  /** 1 per run skipped because another run held the job's lock. */
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
} as const;
