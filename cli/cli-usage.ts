/** The CLI's usage text (`npm run jobs -- --help`). */
export const usage = `Usage:
  npm start [-- options]                  run every job on its schedule (the local harness)
  npm run jobs -- list                    every job, its schedule, time zone, timeout and next 3 runs
  npm run jobs -- run <job> [options]     run one job now, through its Lambda handler
  npm run jobs -- start [options]         same as npm start
  npm run jobs -- history [job] [--limit N]   the last runs, newest first
  npm run jobs -- status                  every job: schedule, paused, next, last and last successful run
  npm run jobs -- db                      a URL psql takes for the running embedded PostgreSQL
  npm run jobs -- pause <job> --aws       disable the deployed job's trigger now (resume: enable it)
  npm run jobs -- resume <job> --aws

Options:
  --run-now                 start: also fire every job once at start
  --dry-run                 run: count what would be done, change nothing
  --migrate                 with DATABASE_URL: apply the schema migrations first
  --seed                    write demo data first (always done on the embedded database's first start)
  --partitioned             the embedded database's locations partitioned by day (converted once,
                            demo rows kept), to see the cleanup drop whole partitions
  --shutdown-timeout <s>    start: seconds to wait for running jobs on a stop request (default 30)
  --metrics                 print the runs' metrics (CloudWatch EMF lines), hidden by default
  --json                    run, start: the JSON log lines as Lambda writes them (the default when
                            output is not a terminal); history, status: one JSON object per line
  --limit <n>               history: how many runs (default 20, at most 1000)
  --aws                     run, history, status, pause, resume: on the deployed stack in AWS
                            (credentials from the usual AWS chain: environment, profile, SSO, ...)
  --stage <name>            with --aws: the stack of that stage (LocationMaintenanceJobs-<name>)
  --region <region>         with --aws: the stack's region (default: the AWS configuration's)
  -h, --help                this text

Without DATABASE_URL an embedded PostgreSQL is started, with its data under .local/postgres
(LOCAL_POSTGRES_DIR to change; POSTGRES_VERSION=14 runs PostgreSQL 14 on .local/postgres-14);
run history is kept under .local/history (LOCAL_HISTORY_DIR).
Exit codes: 0 ok (succeeded, cut short or skipped), 1 a run failed or had to be abandoned, or an
AWS request failed, 2 usage or configuration error (no AWS credentials, no such stack).`;
