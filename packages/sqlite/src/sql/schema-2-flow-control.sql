-- errand's tables, schema version 1 -> 2: unique jobs, concurrency keys, cancel requests, paused
-- queues, rate-limit start logs and schedules.
--
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check and only when the stored version is 1, so it runs exactly once per database
-- (ALTER TABLE ADD COLUMN has no IF NOT EXISTS). Existing jobs get NULL keys and no cancel request.

-- insertUnique(): the key, and how this job holds it (unique.sql). unique_states is a JSON array of
-- states, NULL for a job added by insert(), which never holds a key.
ALTER TABLE errand_jobs ADD COLUMN unique_key TEXT;
ALTER TABLE errand_jobs ADD COLUMN unique_states TEXT;
ALTER TABLE errand_jobs ADD COLUMN unique_until INTEGER;

-- ClaimRequest.concurrency: jobs sharing a key count against one limit.
ALTER TABLE errand_jobs ADD COLUMN concurrency_key TEXT;

-- requestCancel(): 1 while a running job has been asked to cancel; any transition out of running
-- sets it back to 0 (transition.sql).
ALTER TABLE errand_jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0
  CHECK (cancel_requested IN (0, 1));

-- insertUnique() looks a key's holders up here; plain jobs (no key) stay out of the index.
CREATE INDEX IF NOT EXISTS errand_jobs_unique_key
  ON errand_jobs (unique_key, id) WHERE unique_key IS NOT NULL;

-- A concurrency-limited claim counts the running jobs per key (limited-claim.sql).
CREATE INDEX IF NOT EXISTS errand_jobs_running_concurrency
  ON errand_jobs (concurrency_key) WHERE state = 'running' AND concurrency_key IS NOT NULL;

-- concurrency_key now rides along in the claim indexes too, so a concurrency-limited claim skips
-- the jobs of a saturated key without visiting the table. The column is appended: the unlimited
-- claim reads these indexes exactly as before.
DROP INDEX IF EXISTS errand_jobs_queued;
CREATE INDEX errand_jobs_queued
  ON errand_jobs (priority, run_at, id, task, queue, concurrency_key) WHERE state = 'queued';
DROP INDEX IF EXISTS errand_jobs_scheduled;
CREATE INDEX errand_jobs_scheduled
  ON errand_jobs (priority, run_at, id, task, queue, concurrency_key) WHERE state = 'scheduled';

-- setQueuePaused(): a queue is paused while its name is here. Every claim filters on it.
CREATE TABLE IF NOT EXISTS errand_paused_queues (
  queue TEXT PRIMARY KEY
) WITHOUT ROWID;

-- ClaimRequest.rate: the starts recorded under each rate key, one row per claim that started jobs
-- (`starts` of them at `started_at`). A rate-limited claim deletes its key's rows that have left the
-- period before counting, so the table holds at most one period of claims per key.
CREATE TABLE IF NOT EXISTS errand_rate_starts (
  rate_key TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  starts INTEGER NOT NULL CHECK (starts > 0)
);
CREATE INDEX IF NOT EXISTS errand_rate_starts_key ON errand_rate_starts (rate_key, started_at);

-- recordSchedules(): the schedules declared in code, and the latest tick each has fired.
-- spec and payload are JSON text written by the core.
CREATE TABLE IF NOT EXISTS errand_schedules (
  name TEXT PRIMARY KEY,
  task TEXT NOT NULL,
  spec TEXT NOT NULL,
  payload TEXT NOT NULL,
  last_tick_at INTEGER,
  paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  declared_at INTEGER NOT NULL
) WITHOUT ROWID;
