-- Reads for the CLI and dashboard. Each is one statement, so it sees one consistent snapshot.

-- name: get-job
-- Inputs: :id. Outputs: zero or one row of JobRecord columns (id as an integer).
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id = :id;

-- name: list-jobs
-- Newest first, walking the primary key down from :before, so a deep page costs no more than the first.
-- Inputs: :state, :task, :queue (each NULL for any), :before (an id; the largest integer for the
--   first page), :limit (the caller asks for one row more than the page, to know whether there is a next).
-- Outputs: JobRecord columns (id as an integer), highest id first.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id < :before
  AND (:state IS NULL OR state = :state)
  AND (:task IS NULL OR task = :task)
  AND (:queue IS NULL OR queue = :queue)
ORDER BY id DESC
LIMIT :limit;

-- name: job-stats
-- Inputs: none. Outputs: rows { queue, task, state, count } for every non-empty group.
-- A full scan: fine for an operator's command, not meant for a hot path.
SELECT queue, task, state, count(*) AS count
FROM errand_jobs
GROUP BY queue, task, state
ORDER BY queue, task, state;
