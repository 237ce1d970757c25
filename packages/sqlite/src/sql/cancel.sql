-- Cancel requests for running jobs (requestCancel, cancelRequested). A transition out of running
-- clears the flag (transition.sql), so it is only ever set on a running job.

-- name: request-cancel
-- Inputs: :id. Outputs: changes = 1 when the job is running (now marked, or marked already), 0
-- otherwise, when nothing changes.
-- Atomicity: one conditional statement, inside an IMMEDIATE transaction. The lease is untouched.
UPDATE errand_jobs
SET cancel_requested = 1
WHERE id = :id AND state = 'running';

-- name: cancel-requested
-- Inputs: :ids (JSON array of job ids as numbers). Outputs: rows { id } of those jobs that are
-- running and asked to cancel. A read by primary key: the ids are a worker's running jobs.
SELECT id FROM errand_jobs
WHERE id IN (SELECT value FROM json_each(:ids))
  AND state = 'running'
  AND cancel_requested = 1;
