-- name: prune-jobs
-- Deletes up to $2 finished jobs (succeeded, failed, cancelled) that finished before $1, oldest
-- first (jobs_finished).
-- Inputs: $1 before, $2 limit. Outputs: one row { id } per job deleted.
-- Atomicity: one statement; idempotent, safe on several nodes at once (a row deleted by another
--   node meanwhile is simply not deleted twice).
DELETE FROM errand.jobs
WHERE id = ANY (ARRAY(
  SELECT id
  FROM errand.jobs
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1
  ORDER BY finished_at, id
  LIMIT $2
))
RETURNING 1 AS deleted;
