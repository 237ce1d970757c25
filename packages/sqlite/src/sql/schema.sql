-- errand's tables, schema version 1.
--
-- Every name starts with `errand_`; the loader swaps that for the configured tablePrefix, so
-- several errand stores (or an app's own tables) can share one database file.
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check (schema-version.sql); every statement is IF NOT EXISTS, so running it twice,
-- or from two processes at once, is harmless.
--
-- Times are epoch milliseconds (INTEGER), always handed in by the core. JSON columns (payload,
-- result, progress, errors) are text the backend never parses.

CREATE TABLE IF NOT EXISTS errand_jobs (
  -- AUTOINCREMENT: ids keep increasing and are never reused after prune() deletes the newest jobs.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority INTEGER NOT NULL,
  payload TEXT NOT NULL,
  result TEXT,
  progress TEXT,
  errors TEXT NOT NULL DEFAULT '[]',
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  lease_token TEXT,
  lease_until INTEGER,
  worker_id TEXT
);

-- The claim (claim.sql) reads queued jobs in (priority, run_at, id) order straight off this index and
-- stops after `limit` matches. task and queue ride along so the task/queue filter never visits the table.
CREATE INDEX IF NOT EXISTS errand_jobs_queued
  ON errand_jobs (priority, run_at, id, task, queue) WHERE state = 'queued';

-- Scheduled jobs get their own index, so jobs due next week are never scanned by today's claims:
-- the claim seeks (priority = p AND run_at <= now) for each distinct priority p.
CREATE INDEX IF NOT EXISTS errand_jobs_scheduled
  ON errand_jobs (priority, run_at, id, task, queue) WHERE state = 'scheduled';

-- findExpired(): running jobs by lease end.
CREATE INDEX IF NOT EXISTS errand_jobs_leases
  ON errand_jobs (lease_until, id) WHERE state = 'running';

-- prune(): finished jobs by finish time.
CREATE INDEX IF NOT EXISTS errand_jobs_finished
  ON errand_jobs (finished_at, id) WHERE state IN ('succeeded', 'failed', 'cancelled');

CREATE TABLE IF NOT EXISTS errand_workers (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  pid INTEGER NOT NULL,
  -- JSON array of queue names, or NULL for every queue.
  queues TEXT,
  -- JSON array of task names.
  tasks TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
