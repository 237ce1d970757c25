-- name: prune-jobs
-- Deletes up to :limit finished jobs (succeeded, failed, cancelled) that finished before :before,
-- oldest first (errand_jobs_finished).
-- Inputs: :before, :limit. Outputs: changes = how many were deleted.
-- Atomicity: one statement inside an IMMEDIATE transaction; idempotent, safe on several nodes at once.
DELETE FROM errand_jobs
WHERE id IN (
  SELECT id FROM errand_jobs
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < :before
  ORDER BY finished_at, id
  LIMIT :limit + 0
);

-- name: delete-job
-- deleteJob(): a compare-and-delete through the primary key.
-- Inputs: :id, :from (JSON array of states). Outputs: changes = 1 if it deleted the job, else 0.
-- Atomicity: one statement inside an IMMEDIATE transaction.
DELETE FROM errand_jobs
WHERE id = :id AND state IN (SELECT value FROM json_each(:from));
