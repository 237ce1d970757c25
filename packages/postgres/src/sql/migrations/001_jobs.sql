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
  -- bigint: the core accepts any safe integer here (and for max_attempts).
  priority bigint NOT NULL,
  payload text NOT NULL,
  result text,
  progress text,
  errors text NOT NULL DEFAULT '[]',
  attempt bigint NOT NULL DEFAULT 0,
  max_attempts bigint NOT NULL,
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

-- The claim, as a function so that it carries its own planner settings. claim.sql calls it, and
-- explains how it finds due jobs without walking the ones that are not due yet.
--
-- Why the settings: the planner sizes each step of the claim from the table's statistics, and those
-- are often stale on a queue table: analyzed while few jobs were queued, then a burst of a million
-- arrives. Believing there are few queued jobs, the planner prefers to fetch them all and sort them
-- before locking: every claim then reads the whole backlog, at the worst moment. enable_sort = off
-- leaves it the ordered index scans, which stop after `limit` rows however many jobs wait (the final
-- sort of at most a few hundred candidates still happens, as it must). enable_seqscan = off keeps
-- the final update on the primary key. Turning a plan type off works by pricing it out of reach,
-- which inflates the plan's total cost past jit_above_cost: jit = off keeps PostgreSQL from
-- spending a few hundred milliseconds compiling each claim. All three apply inside this function only.
--
-- Inputs: $1 tasks (text[]), $2 queues (text[], NULL for every queue), $3 limit, $4 now,
--   $5 lease token, $6 lease until, $7 worker id.
-- Outputs: the claimed rows as they are after the claim, in no particular order.
-- Atomicity: one statement. Candidates are locked with FOR UPDATE SKIP LOCKED as the indexes are
--   read, so concurrent claims (in any process) pass over each other's rows instead of waiting, and
--   a row another claim updated since this statement's snapshot is re-checked and dropped.
CREATE FUNCTION errand.claim_jobs(text[], text[], integer, bigint, text, bigint, text)
RETURNS SETOF errand.jobs
LANGUAGE plpgsql
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $claim$
BEGIN
  RETURN QUERY
  WITH RECURSIVE priorities (p) AS (
    SELECT min(priority) FROM errand.jobs WHERE state = 'scheduled'
    UNION ALL
    SELECT (SELECT min(priority) FROM errand.jobs WHERE state = 'scheduled' AND priority > p)
    FROM priorities
    WHERE p IS NOT NULL
  ),
  queued AS (
    SELECT id, priority, run_at
    FROM errand.jobs
    WHERE state = 'queued'
      AND task = ANY ($1)
      AND ($2 IS NULL OR queue = ANY ($2))
    ORDER BY priority, run_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
  ),
  due AS (
    SELECT d.id, d.priority, d.run_at
    FROM priorities
    CROSS JOIN LATERAL (
      SELECT id, priority, run_at
      FROM errand.jobs
      WHERE state = 'scheduled'
        AND priority = priorities.p
        AND run_at <= $4
        AND task = ANY ($1)
        AND ($2 IS NULL OR queue = ANY ($2))
      ORDER BY run_at, id
      LIMIT $3
      FOR UPDATE SKIP LOCKED
    ) AS d
  ),
  picked AS (
    SELECT id
    FROM (SELECT * FROM queued UNION ALL SELECT * FROM due) AS candidates
    ORDER BY priority, run_at, id
    LIMIT $3
  )
  UPDATE errand.jobs AS j
  SET state = 'running',
      attempt = j.attempt + 1,
      started_at = $4,
      lease_token = $5,
      lease_until = $6,
      worker_id = $7
  WHERE j.id = ANY (ARRAY(SELECT id FROM picked))
  RETURNING j.*;
END
$claim$;
