-- list()'s reads (list-jobs.ts), run inside one read transaction so that together they see one
-- snapshot. A filtered page takes three steps, each through an index, so a deep page costs what the
-- first costs (schema-4-list-pairs.sql; test/sqlite/list-plan.test.ts):
--   1. list-<group>-heads: the (queue, task) pairs that match the filter, found by a loose index scan
--      (one seek per queue and one per pair), and for each pair and wanted state its newest id below
--      the cursor (one seek each);
--   2. list-<group>-ids: the ids of one pair and state below an id, highest first, for as long as
--      list-jobs.ts wants them (it stops once they are too old for the page);
--   3. list-rows: the page's rows, by id.
-- The waiting and finished statements are twins on their own partial index; the states and `id > 0`
-- they repeat are what lets SQLite read that index.
--
-- Common inputs: :before (an id; the largest integer for the first page), :limit (the caller asks
-- for one row more than the page, to know whether there is a next; `:limit + 0`: see sql.ts).

-- name: list-all
-- No filter: the primary key. Inputs: :before, :limit.
-- Outputs: JobRecord columns (id as an integer), highest id first.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id < :before
ORDER BY id DESC
LIMIT :limit + 0;

-- name: list-running-ids
-- Running jobs, filtered by :task and :queue (each NULL for any): read off errand_jobs_leases and
-- sorted, since running jobs are few (the workers' slots). Inputs: :task, :queue, :before, :limit.
-- Outputs: ids, highest first.
SELECT id FROM errand_jobs INDEXED BY errand_jobs_leases
WHERE state = 'running' AND (:task IS NULL OR task = :task) AND (:queue IS NULL OR queue = :queue)
  AND id < :before
ORDER BY id DESC
LIMIT :limit + 0;

-- name: list-waiting-heads
-- Inputs: :queue and :task (each NULL for any), :states (JSON array of the wanted states among
--   ('scheduled', 'queued')), :before.
-- Outputs: rows { queue, task, state, head }: for each (queue, task) pair of the waiting jobs that
--   matches the filter and each wanted state, the highest id below :before, or NULL (an empty range:
--   list-jobs.ts skips it, since a filter here would run the subquery twice).
-- Walks down the queues from the highest, one seek each, and down each queue's tasks the same way.
-- A queue or task given in the filter is taken as it is: if it has no jobs, its heads are NULL.
WITH RECURSIVE
  queues (queue) AS (
    SELECT coalesce(:queue, (
      SELECT max(queue) FROM errand_jobs INDEXED BY errand_jobs_list_waiting
      WHERE state IN ('scheduled', 'queued') AND id > 0))
    UNION ALL
    SELECT (
      SELECT max(queue) FROM errand_jobs INDEXED BY errand_jobs_list_waiting
      WHERE state IN ('scheduled', 'queued') AND id > 0 AND queue < queues.queue)
    FROM queues
    WHERE queues.queue IS NOT NULL AND :queue IS NULL
  ),
  pairs (queue, task) AS (
    SELECT queue, coalesce(:task, (
      SELECT max(task) FROM errand_jobs INDEXED BY errand_jobs_list_waiting
      WHERE state IN ('scheduled', 'queued') AND id > 0 AND queue = queues.queue))
    FROM queues
    WHERE queue IS NOT NULL
    UNION ALL
    SELECT queue, (
      SELECT max(task) FROM errand_jobs INDEXED BY errand_jobs_list_waiting
      WHERE state IN ('scheduled', 'queued') AND id > 0 AND queue = pairs.queue AND task < pairs.task)
    FROM pairs
    WHERE pairs.task IS NOT NULL AND :task IS NULL
  )
SELECT pairs.queue, pairs.task, states.value AS state, (
    SELECT max(id) FROM errand_jobs INDEXED BY errand_jobs_list_waiting
    WHERE queue = pairs.queue AND task = pairs.task AND state = states.value
      AND state IN ('scheduled', 'queued') AND id > 0 AND id < :before
  ) AS head
FROM pairs, json_each(:states) AS states
WHERE pairs.task IS NOT NULL;

-- name: list-waiting-ids
-- Inputs: :queue, :task, :state (one of ('scheduled', 'queued')), :before, :limit.
-- Outputs: ids, highest first.
SELECT id FROM errand_jobs INDEXED BY errand_jobs_list_waiting
WHERE queue = :queue AND task = :task AND state = :state
  AND state IN ('scheduled', 'queued') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit + 0;

-- name: list-finished-heads
-- Inputs: :queue and :task (each NULL for any), :states (JSON array of the wanted states among
--   ('succeeded', 'failed', 'cancelled')), :before.
-- Outputs: rows { queue, task, state, head }: for each (queue, task) pair of the finished jobs that
--   matches the filter and each wanted state, the highest id below :before, or NULL (an empty range:
--   list-jobs.ts skips it, since a filter here would run the subquery twice).
-- Walks down the queues from the highest, one seek each, and down each queue's tasks the same way.
-- A queue or task given in the filter is taken as it is: if it has no jobs, its heads are NULL.
WITH RECURSIVE
  queues (queue) AS (
    SELECT coalesce(:queue, (
      SELECT max(queue) FROM errand_jobs INDEXED BY errand_jobs_list_finished
      WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0))
    UNION ALL
    SELECT (
      SELECT max(queue) FROM errand_jobs INDEXED BY errand_jobs_list_finished
      WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND queue < queues.queue)
    FROM queues
    WHERE queues.queue IS NOT NULL AND :queue IS NULL
  ),
  pairs (queue, task) AS (
    SELECT queue, coalesce(:task, (
      SELECT max(task) FROM errand_jobs INDEXED BY errand_jobs_list_finished
      WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND queue = queues.queue))
    FROM queues
    WHERE queue IS NOT NULL
    UNION ALL
    SELECT queue, (
      SELECT max(task) FROM errand_jobs INDEXED BY errand_jobs_list_finished
      WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0
        AND queue = pairs.queue AND task < pairs.task)
    FROM pairs
    WHERE pairs.task IS NOT NULL AND :task IS NULL
  )
SELECT pairs.queue, pairs.task, states.value AS state, (
    SELECT max(id) FROM errand_jobs INDEXED BY errand_jobs_list_finished
    WHERE queue = pairs.queue AND task = pairs.task AND state = states.value
      AND state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND id < :before
  ) AS head
FROM pairs, json_each(:states) AS states
WHERE pairs.task IS NOT NULL;

-- name: list-finished-ids
-- Inputs: :queue, :task, :state (one of ('succeeded', 'failed', 'cancelled')), :before, :limit.
-- Outputs: ids, highest first.
SELECT id FROM errand_jobs INDEXED BY errand_jobs_list_finished
WHERE queue = :queue AND task = :task AND state = :state
  AND state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit + 0;

-- name: list-rows
-- The page's jobs by id, through the primary key. Inputs: :ids (JSON array of ids).
-- Outputs: JobRecord columns (id as an integer), in no particular order: list-jobs.ts sorts them.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id IN (SELECT value FROM json_each(:ids));
