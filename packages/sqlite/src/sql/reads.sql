-- Reads for the CLI and dashboard. Each is one statement, so it sees one consistent snapshot.

-- name: get-job
-- Inputs: :id. Outputs: zero or one row of JobRecord columns (id as an integer).
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id = :id;

-- The list-* statements are list()'s, each walking one index down from :before so a deep page costs
-- no more than the first (schema-3-dashboard.sql; test/sqlite/list-plan.test.ts). The states and
-- `id > 0` they repeat name the partial indexes they read. Common inputs: :before (an id; the
-- largest integer for the first page), :limit (the caller asks for one row more than the page, to
-- know whether there is a next). Outputs: JobRecord columns (id as an integer), highest id first.

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

-- name: list-running
-- Running jobs, filtered by :task and :queue (each NULL for any): read off errand_jobs_leases and
-- sorted, since running jobs are few (the workers' slots). Inputs: :task, :queue, :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_leases
WHERE state = 'running' AND (:task IS NULL OR task = :task) AND (:queue IS NULL OR queue = :queue)
  AND id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-waiting-by-state
-- Inputs: :state (one of ('scheduled', 'queued')), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_waiting
WHERE state = :state AND state IN ('scheduled', 'queued') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-waiting-by-queue
-- Inputs: :queue, :state (one of ('scheduled', 'queued')), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_waiting_queue
WHERE queue = :queue AND state = :state AND state IN ('scheduled', 'queued') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-waiting-by-task
-- Inputs: :task, :state (one of ('scheduled', 'queued')), :queue (NULL for any: checked on each row), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_waiting_task
WHERE task = :task AND state = :state AND state IN ('scheduled', 'queued') AND id > 0 AND id < :before
  AND (:queue IS NULL OR queue = :queue)
ORDER BY id DESC
LIMIT :limit;

-- name: list-finished-by-state
-- Inputs: :state (one of ('succeeded', 'failed', 'cancelled')), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_finished
WHERE state = :state AND state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-finished-by-queue
-- Inputs: :queue, :state (one of ('succeeded', 'failed', 'cancelled')), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_finished_queue
WHERE queue = :queue AND state = :state AND state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND id < :before
ORDER BY id DESC
LIMIT :limit;

-- name: list-finished-by-task
-- Inputs: :task, :state (one of ('succeeded', 'failed', 'cancelled')), :queue (NULL for any: checked on each row), :before, :limit.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs INDEXED BY errand_jobs_list_finished_task
WHERE task = :task AND state = :state AND state IN ('succeeded', 'failed', 'cancelled') AND id > 0 AND id < :before
  AND (:queue IS NULL OR queue = :queue)
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
