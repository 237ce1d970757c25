-- name: claim-jobs
-- Takes up to $3 due jobs whose task is in $1 and (unless $2 is NULL) whose queue is in $2, in order
-- of priority, run_at, id, and marks them running under the given lease.
--
-- Inputs: $1 tasks (text[]), $2 queues (text[], or NULL for every queue), $3 limit, $4 now,
--   $5 lease token, $6 lease until, $7 worker id.
-- Outputs: the claimed jobs as JobRecord columns (id as text), in no particular order: the caller
--   sorts them by (priority, runAt, id), because RETURNING does not keep the subquery's order.
-- Atomicity: one statement. Candidates are locked with FOR UPDATE SKIP LOCKED while the index is
--   read, so concurrent claims (in any process) pass over each other's rows instead of waiting, and
--   a row updated by another claim since this statement's snapshot is re-checked and dropped.
--
-- How the due jobs are found without walking jobs that are not due yet:
--   * queued jobs are all due: `queued` reads them off jobs_queued in claim order, locking as it
--     goes, and stops after $3 rows;
--   * scheduled jobs are due when run_at <= now. Ordering them by priority first would mean walking
--     past every not-yet-due job of a better priority (100,000 jobs due next week make each claim,
--     and each idle poll, read 100,000 index entries). Instead `priorities` skips from one distinct
--     priority to the next (one index seek each), and `due` seeks (priority = p AND run_at <= now)
--     on jobs_scheduled for each, taking at most $3.
--   The union of those candidates is sorted once and cut to $3; candidates locked but not picked
--   are released when the statement ends. The final UPDATE finds the picked rows by primary key
--   (`= ANY (ARRAY(...))`, so that the generic plan of the prepared statement keeps to the index).
-- Tasks and queues are checked on each candidate row: a worker passes over due jobs of tasks it
-- does not run.
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
    AND task = ANY ($1::text[])
    AND ($2::text[] IS NULL OR queue = ANY ($2::text[]))
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
      AND task = ANY ($1::text[])
      AND ($2::text[] IS NULL OR queue = ANY ($2::text[]))
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
RETURNING j.id::text AS id, j.task, j.queue, j.state, j.priority, j.payload, j.result, j.progress,
  j.errors, j.attempt, j.max_attempts AS "maxAttempts", j.run_at AS "runAt",
  j.created_at AS "createdAt", j.started_at AS "startedAt", j.finished_at AS "finishedAt",
  j.lease_token AS "leaseToken", j.lease_until AS "leaseUntil", j.worker_id AS "workerId";
