-- name: insert-job
-- Inserts one new job; the backend runs it once per job of a batch inside one transaction (its own
-- IMMEDIATE one, or a savepoint in the caller's `tx`), so the batch is all or none.
-- Inputs (positional): task, queue, state ('queued' | 'scheduled'), priority, payload (JSON text),
--   max_attempts, run_at, created_at, concurrency_key, and for insertUnique() unique_key,
--   unique_states (JSON array of states) and unique_until (each NULL for a plain insert).
-- Outputs: none; the new id is the statement's lastInsertRowid (AUTOINCREMENT: increasing, never reused).
INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at,
  concurrency_key, unique_key, unique_states, unique_until)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
