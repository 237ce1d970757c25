-- name: insert-jobs
-- Inserts new jobs (insert(), fireSchedule()): the backend prepares this statement with its VALUES
-- row repeated, once per job, up to 100 jobs per statement (job-writer.ts), and runs a batch's
-- statements inside one transaction (its own IMMEDIATE one, or a savepoint in the caller's `tx`),
-- so the batch is all or none.
-- Inputs (positional, per job): task, queue, state ('queued' | 'scheduled'), priority, payload
--   (JSON text), max_attempts, run_at, created_at, concurrency_key.
-- Outputs: the new ids. AUTOINCREMENT makes them increase in insertion order (never reused), which
--   is the order of the rows; RETURNING promises no order, so the backend sorts them.
-- Cost: 100 jobs per statement instead of one: 20,000 jobs in batches of 1,000 took 199 -> 109 ms
--   of CPU (medians of 11, interleaved), a third less than handing them over as one JSON array.
INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at,
  concurrency_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: insert-job
-- Inserts one new job: insertUnique()'s, after its lookup, in the same transaction.
-- Inputs (positional): task, queue, state ('queued' | 'scheduled'), priority, payload (JSON text),
--   max_attempts, run_at, created_at, concurrency_key, unique_key, unique_states (JSON array of
--   states) and unique_until.
-- Outputs: none; the new id is the statement's lastInsertRowid (AUTOINCREMENT: increasing, never reused).
INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at,
  concurrency_key, unique_key, unique_states, unique_until)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
