-- Statements about running jobs and their leases.

-- name: renew-leases
-- The heartbeat: extends to $3 the lease of each job still running under its token.
-- Inputs: $1 ids (bigint[], each once), $2 lease tokens (text[], pairwise with $1), $3 lease until.
-- Outputs: one row { id } (as text) per lease extended; a job left out has been taken from the worker.
-- Plan: no join, whose size the planner could misjudge into a nested loop over both lists: each job
--   found (through the primary key or jobs_leases) looks its token up by its id's position in $1.
-- Atomicity: one statement; each row's check and update are atomic.
UPDATE errand.jobs AS j
SET lease_until = $3
WHERE j.id = ANY ($1::bigint[])
  AND j.state = 'running'
  AND j.lease_token = ($2::text[])[array_position($1::bigint[], j.id)]
RETURNING j.id::text AS id;

-- name: record-progress
-- Inputs: $1 id, $2 lease token, $3 progress (JSON text).
-- Outputs: one row when stored, none when the job no longer runs under that lease.
-- Atomicity: one conditional statement.
UPDATE errand.jobs
SET progress = $3
WHERE id = $1 AND state = 'running' AND lease_token = $2
RETURNING 1 AS stored;

-- name: find-expired
-- Running jobs whose lease ended before $1, oldest lease first, at most $2 (jobs_leases).
-- Inputs: $1 now, $2 limit. Outputs: JobRecord columns (id as text).
-- Atomicity: a read; the core rescues them with compare-and-set transitions.
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs AS j
WHERE state = 'running' AND lease_until < $1
ORDER BY j.lease_until, j.id
LIMIT $2;
