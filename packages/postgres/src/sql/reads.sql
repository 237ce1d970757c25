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
