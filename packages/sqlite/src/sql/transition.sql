-- name: transition-jobs
-- A batch of compare-and-sets built by the core, in one statement. Each change applies only if its
-- job's state is in its `from` and, when it has a leaseToken, the job still holds that lease, and
-- when it has a leaseExpiredBefore, the job's lease_until is before it (a rescue must not undo a
-- heartbeat). The backend decides nothing here.
--
-- Inputs: :changes, the core's JobTransition objects as a JSON array. A field a change leaves
--   undefined is absent from the JSON (json_type gives NULL) and keeps its column; a field present
--   writes its value, null included.
-- Outputs: the id of each job whose change applied.
-- Atomicity: one statement, so each change is atomic on its own; the backend runs it in one
--   IMMEDIATE transaction. Each job appears at most once per call: UPDATE ... FROM writes a row
--   once, so the backend splits a batch that repeats a job into rounds, in order, so that the second
--   change sees the first. Any `to` other than 'running' clears the lease and the cancel request (a
--   cancel request belongs to a running attempt).
-- Cost: one statement per batch instead of one per change: 20,000 jobs completed in batches of 100
--   took 521 -> 415 ms of CPU (medians of 7, interleaved). The jobs are found through the primary
--   key (test/sqlite/transition.test.ts).
UPDATE errand_jobs
SET state = c.change ->> 'to',
    run_at = iif(json_type(c.change, '$.runAt') IS NULL, run_at, c.change ->> 'runAt'),
    result = iif(json_type(c.change, '$.result') IS NULL, result, c.change ->> 'result'),
    errors = iif(json_type(c.change, '$.errors') IS NULL, errors, c.change ->> 'errors'),
    attempt = iif(json_type(c.change, '$.attempt') IS NULL, attempt, c.change ->> 'attempt'),
    max_attempts =
      iif(json_type(c.change, '$.maxAttempts') IS NULL, max_attempts, c.change ->> 'maxAttempts'),
    started_at = iif(json_type(c.change, '$.startedAt') IS NULL, started_at, c.change ->> 'startedAt'),
    finished_at =
      iif(json_type(c.change, '$.finishedAt') IS NULL, finished_at, c.change ->> 'finishedAt'),
    lease_token = iif(c.change ->> 'to' = 'running', lease_token, NULL),
    lease_until = iif(c.change ->> 'to' = 'running', lease_until, NULL),
    worker_id = iif(c.change ->> 'to' = 'running', worker_id, NULL),
    cancel_requested = iif(c.change ->> 'to' = 'running', cancel_requested, 0)
FROM (SELECT value AS change, value ->> 'id' AS id FROM json_each(:changes)) AS c
WHERE errand_jobs.id = c.id
  AND errand_jobs.state IN (SELECT value FROM json_each(c.change, '$.from'))
  AND (c.change ->> 'leaseToken' IS NULL OR errand_jobs.lease_token = c.change ->> 'leaseToken')
  AND (c.change ->> 'leaseExpiredBefore' IS NULL
    OR errand_jobs.lease_until < c.change ->> 'leaseExpiredBefore')
RETURNING id;
