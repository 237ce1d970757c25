-- Cancel requests for running jobs (requestCancel, cancelRequested). A transition out of running
-- (transition.sql) and a claim (claim_jobs) clear the flag, so it is only ever set on a running job.

-- name: request-cancel
-- Inputs: $1 id. Outputs: one row when the job is running (now marked, or marked already), none
--   otherwise, when nothing changes.
-- Atomicity: one conditional statement. The lease is untouched.
UPDATE errand.jobs
SET cancel_requested = true
WHERE id = $1::bigint AND state = 'running'
RETURNING 1 AS marked;

-- name: cancel-requested
-- Inputs: $1 ids (bigint[]). Outputs: rows { id } (as text) of those jobs that are running and asked
--   to cancel, in no particular order. A read through the primary key: the ids are a worker's
--   running jobs.
SELECT id::text AS id
FROM errand.jobs
WHERE id = ANY ($1::bigint[])
  AND state = 'running'
  AND cancel_requested;
