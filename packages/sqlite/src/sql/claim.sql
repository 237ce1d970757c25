-- name: claim-jobs
-- Takes up to :limit due jobs whose task is in :tasks and (unless :queues is NULL) whose queue is in
-- :queues, never from a paused queue (errand_paused_queues) nor one in :excludeQueues, in order of
-- priority, run_at, id, and marks them running under the given lease. A claim with a rate limit runs
-- this too, with :limit cut to what the rate allows; one with a concurrency limit does not (see
-- limited-claim.sql, which finds its candidates the same way: keep the two in step).
--
-- Inputs: :tasks (JSON array of task names), :queues (JSON array of queue names, or NULL for every
--   queue), :excludeQueues (JSON array, '[]' for none), :limit, :now, :leaseToken, :leaseUntil,
--   :workerId.
-- Outputs: the claimed jobs as JobRecord columns (id as an integer), in no particular order: the
--   caller sorts them by (priority, runAt, id), because RETURNING does not keep the subquery's order.
-- Atomicity: one statement, run inside an IMMEDIATE transaction, so the write lock is held from the
--   first read and two claims (in any processes) never take the same job.
--
-- How the due jobs are found without scanning jobs that are not due yet:
--   * queued jobs are all due: read them off errand_jobs_queued in order, stop after :limit matches;
--   * scheduled jobs are due when run_at <= :now. Ordering them by priority first would mean walking
--     past every not-yet-due job of a better priority (100,000 jobs due next week make each claim,
--     and each idle poll, scan 100,000 index entries). Instead `priorities` skips from one distinct
--     priority to the next (one index seek each), and for each priority p the correlated subquery
--     seeks (priority = p AND run_at <= :now) on errand_jobs_scheduled and takes at most :limit.
--   The union of those candidates (at most :limit per arm) is sorted once and cut to :limit.
UPDATE errand_jobs
SET state = 'running',
    attempt = attempt + 1,
    started_at = :now,
    lease_token = :leaseToken,
    lease_until = :leaseUntil,
    worker_id = :workerId
WHERE id IN (
  WITH RECURSIVE priorities (p) AS (
    SELECT min(priority) FROM errand_jobs WHERE state = 'scheduled'
    UNION ALL
    SELECT (SELECT min(priority) FROM errand_jobs WHERE state = 'scheduled' AND priority > p)
    FROM priorities
    WHERE p IS NOT NULL
  )
  SELECT id FROM (
    SELECT * FROM (
      SELECT id, priority, run_at FROM errand_jobs
      WHERE state = 'queued'
        AND task IN (SELECT value FROM json_each(:tasks))
        AND (:queues IS NULL OR queue IN (SELECT value FROM json_each(:queues)))
        AND queue NOT IN (SELECT queue FROM errand_paused_queues)
        AND queue NOT IN (SELECT value FROM json_each(:excludeQueues))
      ORDER BY priority, run_at, id
      LIMIT :limit + 0
    )
    UNION ALL
    SELECT due.id, due.priority, due.run_at
    FROM priorities, errand_jobs AS due
    WHERE due.id IN (
      SELECT id FROM errand_jobs
      WHERE state = 'scheduled'
        AND priority = priorities.p
        AND run_at <= :now
        AND task IN (SELECT value FROM json_each(:tasks))
        AND (:queues IS NULL OR queue IN (SELECT value FROM json_each(:queues)))
        AND queue NOT IN (SELECT queue FROM errand_paused_queues)
        AND queue NOT IN (SELECT value FROM json_each(:excludeQueues))
      ORDER BY run_at, id
      LIMIT :limit + 0
    )
  )
  ORDER BY priority, run_at, id
  LIMIT :limit + 0
)
RETURNING id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested;
