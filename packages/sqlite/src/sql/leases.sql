-- Statements about running jobs and their leases.

-- name: renew-lease
-- The heartbeat for one job; the backend runs it once per lease of a batch inside one IMMEDIATE
-- transaction. Inputs: :id, :leaseToken, :leaseUntil.
-- Outputs: changes = 1 when the job is still running under that token (its lease now ends at
--   :leaseUntil), 0 when the lease was lost.
-- Atomicity: one conditional statement.
UPDATE errand_jobs
SET lease_until = :leaseUntil
WHERE id = :id AND state = 'running' AND lease_token = :leaseToken;

-- name: record-progress
-- Inputs: :id, :leaseToken, :progress (JSON text).
-- Outputs: changes = 1 when stored, 0 when the job no longer runs under that lease.
-- Atomicity: one conditional statement, inside an IMMEDIATE transaction.
UPDATE errand_jobs
SET progress = :progress
WHERE id = :id AND state = 'running' AND lease_token = :leaseToken;

-- name: find-expired
-- Running jobs whose lease ended before :now, oldest lease first, at most :limit (errand_jobs_leases).
-- Inputs: :now, :limit. Outputs: JobRecord columns (id as an integer).
-- Atomicity: a read; the core rescues them with compare-and-set transitions.
SELECT id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested
FROM errand_jobs
WHERE state = 'running' AND lease_until < :now
ORDER BY lease_until, id
LIMIT :limit + 0;
