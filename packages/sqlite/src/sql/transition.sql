-- name: transition-job
-- One compare-and-set built by the core: applies only if the job's state is in :from and, when
-- :leaseToken is not NULL, the job still holds that lease, and when :leaseExpiredBefore is not NULL,
-- its lease_until is before it (a rescue must not undo a heartbeat). The backend decides nothing here.
--
-- Inputs: :id, :from (JSON array of states), :leaseToken (or NULL: no lease check), :to, and for each
--   optional field a flag and a value: :setRunAt/:runAt, :setResult/:result, :setErrors/:errors,
--   :setAttempt/:attempt, :setMaxAttempts/:maxAttempts, :setStartedAt/:startedAt,
--   :setFinishedAt/:finishedAt. A flag of 0 keeps the column as it is (the field was undefined);
--   1 writes the value, NULL included.
-- Outputs: changes = 1 when the change applied, 0 when it was skipped.
-- Atomicity: one statement, so each change is atomic on its own; the backend runs a whole batch in
--   one IMMEDIATE transaction for throughput. Any `to` other than 'running' clears the lease and
--   the cancel request (a cancel request belongs to a running attempt).
UPDATE errand_jobs
SET state = :to,
    run_at = iif(:setRunAt, :runAt, run_at),
    result = iif(:setResult, :result, result),
    errors = iif(:setErrors, :errors, errors),
    attempt = iif(:setAttempt, :attempt, attempt),
    max_attempts = iif(:setMaxAttempts, :maxAttempts, max_attempts),
    started_at = iif(:setStartedAt, :startedAt, started_at),
    finished_at = iif(:setFinishedAt, :finishedAt, finished_at),
    lease_token = iif(:to = 'running', lease_token, NULL),
    lease_until = iif(:to = 'running', lease_until, NULL),
    worker_id = iif(:to = 'running', worker_id, NULL),
    cancel_requested = iif(:to = 'running', cancel_requested, 0)
WHERE id = :id
  AND state IN (SELECT value FROM json_each(:from))
  AND (:leaseToken IS NULL OR lease_token = :leaseToken)
  AND (:leaseExpiredBefore IS NULL OR lease_until < :leaseExpiredBefore);
