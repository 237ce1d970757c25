-- Reads for the CLI and dashboard. Each is one statement, so it sees one consistent snapshot.

-- name: get-job
-- Inputs: :id. Outputs: zero or one row of JobRecord columns (id as an integer).
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id = :id;

-- The list-* statements are list()'s, one per filter, each walking one index down from :before so a
-- deep page costs no more than the first (schema-3-dashboard.sql; test/sqlite/list-plan.test.ts).
-- `id > 0` names the partial list indexes (see schema-3-dashboard.sql). Common inputs: :before (an id; the largest integer for the first page), :limit (the caller asks for
-- one row more than the page, to know whether there is a next). Outputs: JobRecord columns (id as
-- an integer), highest id first.

-- name: list-all
-- No filter: the primary key. Inputs: :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-by-state
-- Inputs: :state, :before, :limit. Index: errand_jobs_list_state.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_state
WHERE state = :state AND id < :before AND id > 0
ORDER BY id DESC
LIMIT :limit;

-- name: list-by-queue
-- Inputs: :queue, :state, :before, :limit. Index: errand_jobs_list_queue.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_queue
WHERE queue = :queue AND state = :state AND id < :before AND id > 0
ORDER BY id DESC
LIMIT :limit;

-- name: list-by-task
-- Inputs: :task, :state, :queue (NULL for any), :before, :limit. Index: errand_jobs_list_task; the
-- queue, when given, is checked on each row the index yields.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_task
WHERE task = :task AND state = :state AND (:queue IS NULL OR queue = :queue) AND id < :before
  AND id > 0
ORDER BY id DESC
LIMIT :limit;

-- name: finished-counts
-- finishedCounts(): finished jobs in [:since, :until) by queue, state and bucket, read off
-- errand_jobs_finished alone. Inputs: :since, :until, :bucketMs (whole milliseconds; better-sqlite3
-- binds them as REAL, so they are cast for an integer division). Outputs: rows { queue, state,
-- bucket, count }.
SELECT queue, state, count(*) AS count,
  CAST(:since AS INTEGER)
    + (finished_at - CAST(:since AS INTEGER)) / CAST(:bucketMs AS INTEGER) * CAST(:bucketMs AS INTEGER)
    AS bucket
FROM errand_jobs
WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at >= :since AND finished_at < :until
GROUP BY queue, state, bucket;

-- name: job-stats
-- Inputs: none. Outputs: rows { queue, task, state, count } for every non-empty group.
-- A full scan: fine for an operator's command, not meant for a hot path.
SELECT queue, task, state, count(*) AS count
FROM errand_jobs
GROUP BY queue, task, state
ORDER BY queue, task, state;
