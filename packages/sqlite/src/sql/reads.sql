-- Reads for the CLI and dashboard. Each is one statement, so it sees one consistent snapshot.

-- name: get-job
-- Inputs: :id. Outputs: zero or one row of JobRecord columns (id as an integer).
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE id = :id;

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
