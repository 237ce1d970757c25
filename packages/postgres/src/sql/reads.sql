-- Reads for the CLI and dashboard. Each is one statement, so it sees one consistent snapshot.

-- name: get-job
-- Inputs: $1 id. Outputs: zero or one row of JobRecord columns (id as text).
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs
WHERE id = $1;

-- name: list-jobs
-- Newest first, walking the primary key down from $4, so a deep page costs no more than the first.
-- Inputs: $1 state, $2 task, $3 queue (each NULL for any), $4 before (an id; the largest bigint for
--   the first page), $5 limit (the caller asks for one row more than the page, to know whether
--   there is a next).
-- Outputs: JobRecord columns (id as text), highest id first.
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs AS j
WHERE j.id < $4
  AND ($1::text IS NULL OR state = $1::text)
  AND ($2::text IS NULL OR task = $2::text)
  AND ($3::text IS NULL OR queue = $3::text)
ORDER BY j.id DESC
LIMIT $5;

-- name: job-stats
-- Inputs: none. Outputs: rows { queue, task, state, count } for every non-empty group.
-- A full scan: fine for an operator's command, not meant for a hot path.
SELECT queue, task, state, count(*) AS count
FROM errand.jobs
GROUP BY queue, task, state
ORDER BY queue, task, state;
