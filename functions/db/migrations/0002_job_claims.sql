-- The overlap guard: one claim per job, held by the run that inserted it until it deletes it,
-- or until `expires_at` (the run's hard end: its Lambda timeout), after which the next run
-- takes it over. A row, not a session-level advisory lock: it works through a pooler in
-- transaction mode and outlives no crash by more than the run's timeout.

CREATE TABLE IF NOT EXISTS maintenance_job_claims (
  job         text PRIMARY KEY,
  run_id      text NOT NULL,
  claimed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
