-- Schema version 5: a claim commits without waiting for its WAL record to reach the disk.
--
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes, under
-- the migration lock (migrations.ts), as for 001. The claim's plan and results are unchanged.
--
-- Why: an idle worker starts a job one claim after the enqueue's commit wakes it, and with
-- synchronous_commit on, that claim's commit waits for an fsync of the WAL. On this machine's disk the
-- fsync took 0.2 ms alone and 3-4 ms while other processes wrote (a claim of one job: p50 3.9 ms with
-- the flush, 0.3 ms without, measured 2026-11-24 with psql, 300 claims each), so the flush was most of
-- the enqueue-to-start latency and all of its tail.
--
-- Why it is safe: a claim that the server loses in a crash (the commit was acknowledged, its WAL record
-- not yet written; at most wal_writer_delay x 3 of commits) leaves its jobs queued with their previous
-- attempt count, as if the claim had never happened. The worker that ran them then fails its lease
-- check when it records the outcome (the late outcome is rejected and logged) and the jobs run again:
-- at least once, never lost, as after a worker's crash. Any later commit that waits for its flush
-- (an outcome, an enqueue) flushes the claims before it, so a recorded outcome is never followed by a
-- lost claim. Enqueues and outcomes still wait for the disk.

CREATE OR REPLACE FUNCTION errand.claim_jobs(text[], text[], text[], integer, bigint, text, bigint, text)
RETURNS SETOF errand.jobs
LANGUAGE plpgsql
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $claim$
BEGIN
  -- Until this transaction ends (the claim's own, or the caller's in limited-claim.ts).
  PERFORM set_config('synchronous_commit', 'off', true);
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
