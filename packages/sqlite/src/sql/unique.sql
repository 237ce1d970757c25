-- name: find-unique-holder
-- The oldest job holding :uniqueKey at :now: inserted with that key, in one of the states it was
-- inserted with (unique_states), and with no unique_until or one after :now.
-- Inputs: :uniqueKey, :now. Outputs: zero or one row { id }.
-- Atomicity: insertUnique() runs it and then, when no row came back, insert-job, both inside one
-- IMMEDIATE transaction (or a savepoint in the caller's transaction, which holds or takes the write
-- lock before it commits), so no other writer can add a holder in between. Reads errand_jobs_unique_key.
SELECT id FROM errand_jobs
WHERE unique_key = :uniqueKey
  AND state IN (SELECT value FROM json_each(unique_states))
  AND (unique_until IS NULL OR unique_until > :now)
ORDER BY id
LIMIT 1;
