-- name: prune-jobs
-- Deletes up to $2 finished jobs (succeeded, failed, cancelled) that finished before $1, in no
-- particular order: with no ORDER BY, no plan ever sorts the finished jobs (there may be millions),
-- whatever the statistics say; jobs_finished serves the range.
-- Inputs: $1 before, $2 limit. Outputs: one row { id } per job deleted.
-- Atomicity: one statement; idempotent, safe on several nodes at once (a row deleted by another
--   node meanwhile is simply not deleted twice).
DELETE FROM errand.jobs
WHERE id = ANY (ARRAY(
  SELECT id
  FROM errand.jobs
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1
  LIMIT $2
))
RETURNING 1 AS deleted;

-- name: delete-job
-- deleteJob(): a compare-and-delete through the primary key.
-- Inputs: $1 id, $2 states (text[]). Outputs: one row when it deleted the job.
-- Atomicity: one statement; a job whose state changed meanwhile is not deleted.
DELETE FROM errand.jobs
WHERE id = $1 AND state = ANY ($2::text[])
RETURNING 1 AS deleted;
