-- Schema version 2: unique jobs, concurrency keys, cancel requests, paused queues, rate-limit start
-- logs and schedules (issue 5), and the claim taught to skip paused and excluded queues.
--
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes,
-- under the migration lock (migrations.ts), as for 001. Existing jobs get no keys and no cancel request.

-- insertUnique() (unique.sql): the key, and how this job holds it. unique_states is NULL for a job
-- added by insert(), which never holds a key.
ALTER TABLE errand.jobs
  ADD COLUMN unique_key text,
  ADD COLUMN unique_states text[],
  ADD COLUMN unique_until bigint,
  -- ClaimRequest.concurrency: jobs sharing a key count against one limit.
  ADD COLUMN concurrency_key text,
  -- requestCancel(): true while a running job has been asked to cancel; every transition out of
  -- running sets it back to false (transition.sql), and so does a claim.
  ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- insertUnique() looks a key's holders up here; plain jobs (no key) stay out of the index.
CREATE INDEX jobs_unique_key ON errand.jobs (unique_key, id) WHERE unique_key IS NOT NULL;

-- A concurrency-limited claim counts the running jobs per key (limited-claim.sql).
CREATE INDEX jobs_running_concurrency ON errand.jobs (concurrency_key)
  WHERE state = 'running' AND concurrency_key IS NOT NULL;

-- setQueuePaused(): a queue is paused while its name is here. Every claim filters on it.
CREATE TABLE errand.paused_queues (
  queue text PRIMARY KEY
);

-- ClaimRequest.rate: the starts recorded under each rate key, one row per claim that started jobs
-- (`starts` of them at `started_at`). A rate-limited claim deletes its key's rows older than two
-- periods before counting (limited-claim.sql), so the table holds at most two periods of claims per key.
CREATE TABLE errand.rate_starts (
  rate_key text NOT NULL,
  started_at bigint NOT NULL,
  starts integer NOT NULL CHECK (starts > 0)
);
CREATE INDEX rate_starts_key ON errand.rate_starts (rate_key, started_at);

-- recordSchedules(): the schedules declared in code, and the latest tick each has fired. spec and
-- payload are JSON text written by the core.
CREATE TABLE errand.schedules (
  name text PRIMARY KEY,
  task text NOT NULL,
  spec text NOT NULL,
  payload text NOT NULL,
  last_tick_at bigint,
  paused boolean NOT NULL DEFAULT false,
  declared_at bigint NOT NULL
);

-- The claim gains $3, the queues never to take from (ClaimRequest.excludeQueues), and skips the
-- paused queues. Both are filters checked on each candidate row as it comes off jobs_queued or
-- jobs_scheduled, so the plan (and why these settings: see 001_jobs.sql) is unchanged: the paused
-- queues are read once per claim into an array (an uncorrelated ARRAY(SELECT ...) is an InitPlan),
-- never joined, so the row locks stay directly on the ordered index scans.
-- A claim also clears cancel_requested: a new attempt starts with no cancel request.
DROP FUNCTION errand.claim_jobs(text[], text[], integer, bigint, text, bigint, text);

-- Inputs: $1 tasks (text[]), $2 queues (text[], NULL for every queue), $3 excluded queues (text[]),
--   $4 limit, $5 now, $6 lease token, $7 lease until, $8 worker id.
-- Outputs: the claimed rows as they are after the claim, in no particular order.
-- Atomicity: one statement; candidates are locked with FOR UPDATE SKIP LOCKED (see 001_jobs.sql).
CREATE FUNCTION errand.claim_jobs(text[], text[], text[], integer, bigint, text, bigint, text)
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
    SELECT q.id, q.priority, q.run_at
    FROM errand.jobs AS q
    WHERE q.state = 'queued'
      AND q.task = ANY ($1)
      AND ($2 IS NULL OR q.queue = ANY ($2))
      AND NOT (q.queue = ANY ($3))
      AND NOT (q.queue = ANY (ARRAY(SELECT queue FROM errand.paused_queues)))
    ORDER BY q.priority, q.run_at, q.id
    LIMIT $4
    FOR UPDATE OF q SKIP LOCKED
  ),
  due AS (
    SELECT d.id, d.priority, d.run_at
    FROM priorities
    CROSS JOIN LATERAL (
      SELECT s.id, s.priority, s.run_at
      FROM errand.jobs AS s
      WHERE s.state = 'scheduled'
        AND s.priority = priorities.p
        AND s.run_at <= $5
        AND s.task = ANY ($1)
        AND ($2 IS NULL OR s.queue = ANY ($2))
        AND NOT (s.queue = ANY ($3))
        AND NOT (s.queue = ANY (ARRAY(SELECT queue FROM errand.paused_queues)))
      ORDER BY s.run_at, s.id
      LIMIT $4
      FOR UPDATE OF s SKIP LOCKED
    ) AS d
  ),
  picked AS (
    SELECT id
    FROM (SELECT * FROM queued UNION ALL SELECT * FROM due) AS candidates
    ORDER BY priority, run_at, id
    LIMIT $4
  )
  UPDATE errand.jobs AS j
  SET state = 'running',
      attempt = j.attempt + 1,
      started_at = $5,
      lease_token = $6,
      lease_until = $7,
      worker_id = $8,
      cancel_requested = false
  WHERE j.id = ANY (ARRAY(SELECT id FROM picked))
  RETURNING j.*;
END
$claim$;
