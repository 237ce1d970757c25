-- name: transition-jobs
-- A batch of compare-and-sets built by the core. Each change applies only if its job's state is in
-- its `from` and, when it has a lease token, the job still holds that lease, and when it has a
-- lease-expired-before time, the job's lease_until is before it (a rescue must not undo a
-- heartbeat). The backend decides nothing here.
--
-- Inputs (positional, 13 per change: the backend prepares the statement with the VALUES row
--   repeated once per change, up to 100, see multi-row.ts): id, from (JSON array of states),
--   lease_token (or NULL: no lease check), lease_expired_before (or NULL), to, set, run_at, result,
--   errors, attempt, max_attempts, started_at, finished_at. `set` is a bit mask of the fields the
--   change writes (run_at 1, result 2, errors 4, attempt 8, max_attempts 16, started_at 32,
--   finished_at 64): a field whose bit is clear keeps its column as it is (the change left it
--   undefined); a set bit writes the value, NULL included.
-- Outputs: the id of each job whose change applied.
-- Atomicity: one statement, so each change is atomic on its own; the backend runs a batch's
--   statements in one IMMEDIATE transaction. A job appears at most once per statement: UPDATE ...
--   FROM writes a row once, so the backend splits a batch that repeats a job into rounds, in order,
--   so that the second change sees the first. Any `to` other than 'running' clears the lease and
--   the cancel request (a cancel request belongs to a running attempt).
-- Cost: 20,000 jobs completed in batches of 100 took 627 ms of CPU with one statement per change,
--   456 with the batch as one JSON array, 308 this way (medians of 9, interleaved). The jobs are
--   found through the primary key (test/sqlite/transition.test.ts).
WITH changes (id, from_states, lease_token, lease_expired_before, to_state, set_mask, run_at, result,
  errors, attempt, max_attempts, started_at, finished_at) AS (
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
)
UPDATE errand_jobs
SET state = c.to_state,
    run_at = iif(c.set_mask & 1, c.run_at, errand_jobs.run_at),
    result = iif(c.set_mask & 2, c.result, errand_jobs.result),
    errors = iif(c.set_mask & 4, c.errors, errand_jobs.errors),
    attempt = iif(c.set_mask & 8, c.attempt, errand_jobs.attempt),
    max_attempts = iif(c.set_mask & 16, c.max_attempts, errand_jobs.max_attempts),
    started_at = iif(c.set_mask & 32, c.started_at, errand_jobs.started_at),
    finished_at = iif(c.set_mask & 64, c.finished_at, errand_jobs.finished_at),
    lease_token = iif(c.to_state = 'running', errand_jobs.lease_token, NULL),
    lease_until = iif(c.to_state = 'running', errand_jobs.lease_until, NULL),
    worker_id = iif(c.to_state = 'running', errand_jobs.worker_id, NULL),
    cancel_requested = iif(c.to_state = 'running', errand_jobs.cancel_requested, 0)
FROM changes AS c
WHERE errand_jobs.id = c.id
  AND errand_jobs.state IN (SELECT value FROM json_each(c.from_states))
  AND (c.lease_token IS NULL OR errand_jobs.lease_token = c.lease_token)
  AND (c.lease_expired_before IS NULL OR errand_jobs.lease_until < c.lease_expired_before)
RETURNING id;

-- name: remove-jobs
-- The changes of a batch that remove their job (JobTransition.remove): each deletes its job on the
-- same conditions as transition-jobs applies a change.
--
-- Inputs (positional, 4 per change, the VALUES row repeated once per change, up to 100): id, from
--   (JSON array of states), lease_token (or NULL: no lease check), lease_expired_before (or NULL).
-- Outputs: the id of each job deleted.
-- Atomicity: one statement, inside the batch's IMMEDIATE transaction, after the round's updates. The
--   jobs are found through the primary key; nothing else holds a job (its unique key is a column).
WITH changes (id, from_states, lease_token, lease_expired_before) AS (
  VALUES (?, ?, ?, ?)
)
DELETE FROM errand_jobs
WHERE id IN (
  SELECT j.id
  FROM changes AS c
  JOIN errand_jobs AS j ON j.id = c.id
  WHERE j.state IN (SELECT value FROM json_each(c.from_states))
    AND (c.lease_token IS NULL OR j.lease_token = c.lease_token)
    AND (c.lease_expired_before IS NULL OR j.lease_until < c.lease_expired_before)
)
RETURNING id;
