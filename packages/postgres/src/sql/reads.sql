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

-- name: list-all
-- list() with no filter: the primary key, walked down from $1, so a deep page costs no more than the
-- first. Inputs: $1 before (an id; the largest bigint for the first page), $2 limit (the caller asks
-- for one row more than the page, to know whether there is a next).
-- Outputs: JobRecord columns (id as text), highest id first.
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs AS t
WHERE t.id < $1
ORDER BY t.id DESC
LIMIT $2;

-- name: list-filtered
-- (Each branch orders by t.id, the bigint: a bare `id` would be the text the SELECT makes of it.)
-- list() with a filter: for each state in $1, up to $5 of its jobs below $4, merged and cut to $5.
-- One branch per state, each naming its state as a constant so that PostgreSQL can match it to the
-- partial indexes of 003_dashboard.sql (jobs_list_waiting*, jobs_list_finished*, by task, queue or
-- state alone; jobs_leases for running jobs) and walk one down from the cursor. Run unnamed, so each
-- run is planned with its values: the branches of states not in $1 and the `IS NULL OR` of a filter
-- not given fold away.
-- Inputs: $1 states (text[]: the one filtered on, or all six), $2 task, $3 queue (each NULL for
--   any), $4 before, $5 limit (one row more than the page).
-- Outputs: JobRecord columns (id as text), highest id first.
SELECT * FROM (
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'scheduled' = ANY ($1::text[]) AND state = 'scheduled' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
  UNION ALL
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'queued' = ANY ($1::text[]) AND state = 'queued' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
  UNION ALL
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'running' = ANY ($1::text[]) AND state = 'running' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
  UNION ALL
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'succeeded' = ANY ($1::text[]) AND state = 'succeeded' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
  UNION ALL
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'failed' = ANY ($1::text[]) AND state = 'failed' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
  UNION ALL
  (SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
    max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
    started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
    lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
    concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
  FROM errand.jobs AS t
  WHERE 'cancelled' = ANY ($1::text[]) AND state = 'cancelled' AND id > 0 AND id < $4
    AND ($2::text IS NULL OR task = $2::text) AND ($3::text IS NULL OR queue = $3::text)
  ORDER BY t.id DESC
  LIMIT $5)
) AS j
ORDER BY j.id::bigint DESC
LIMIT $5;

-- name: finished-counts
-- finishedCounts(): jobs finished in [$1, $2) by queue, state and bucket of $3 ms, read off
-- jobs_finished (which includes queue and state). Inputs: $1 since, $2 until, $3 bucketMs.
-- Outputs: rows { queue, state, bucket, count }.
SELECT queue, state, $1::bigint + (finished_at - $1::bigint) / $3::bigint * $3::bigint AS bucket,
  count(*)::integer AS count
FROM errand.jobs
WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at >= $1 AND finished_at < $2
GROUP BY queue, state, bucket;

-- name: job-stats
-- Inputs: none. Outputs: rows { queue, task, state, count } for every non-empty group.
-- A full scan: fine for an operator's command, not meant for a hot path.
SELECT queue, task, state, count(*) AS count
FROM errand.jobs
GROUP BY queue, task, state
ORDER BY queue, task, state;
