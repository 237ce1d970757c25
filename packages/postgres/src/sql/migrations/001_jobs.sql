-- Schema version 1: the jobs and workers tables and the indexes the backend's statements use.
--
-- Every name is qualified with `errand.`; the loader swaps that for the configured schema (quoted),
-- so several errand stores can share one database. Nothing here is IF NOT EXISTS: it runs exactly
-- once per schema, inside init()'s migration transaction (migrations.ts), which holds an advisory lock
-- so concurrent processes apply it one at a time and the later ones find it already done.
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes.
--
-- Times are epoch milliseconds (bigint), always handed in by the core: a backend never reads the
-- clock. JSON columns (payload, result, progress, errors) are text the backend never parses.

CREATE TABLE errand.jobs (
  -- An identity: ids increase in insertion order and are never reused after prune() deletes the
  -- newest jobs. Returned to JavaScript as decimal strings.
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task text NOT NULL,
  queue text NOT NULL,
  state text NOT NULL
    CHECK (state IN ('scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority integer NOT NULL,
  payload text NOT NULL,
  result text,
  progress text,
  errors text NOT NULL DEFAULT '[]',
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  run_at bigint NOT NULL,
  created_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  lease_token text,
  lease_until bigint,
  worker_id text
);

-- The claim (claim.sql) reads queued jobs in (priority, run_at, id) order straight off this index,
-- locking as it goes, and stops after `limit` rows.
CREATE INDEX jobs_queued ON errand.jobs (priority, run_at, id) WHERE state = 'queued';

-- Scheduled jobs have their own index, so jobs due next week are never walked by today's claims:
-- the claim seeks (priority = p AND run_at <= now) once per distinct priority p.
CREATE INDEX jobs_scheduled ON errand.jobs (priority, run_at, id) WHERE state = 'scheduled';

-- findExpired(): running jobs by the end of their lease.
CREATE INDEX jobs_leases ON errand.jobs (lease_until, id) WHERE state = 'running';

-- prune(): finished jobs by finish time.
CREATE INDEX jobs_finished ON errand.jobs (finished_at, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled');

CREATE TABLE errand.workers (
  id text PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  -- NULL for every queue.
  queues text[],
  tasks text[] NOT NULL,
  concurrency integer NOT NULL,
  started_at bigint NOT NULL,
  heartbeat_at bigint NOT NULL
);
