-- Inserting new jobs: a whole batch in one statement, so it is all or none.
--
-- Both statements take $1, the batch as a JSON array of NewJob objects (task, queue, state,
-- priority, payload, maxAttempts, runAt, createdAt, and concurrencyKey, absent or null for none),
-- and turn it into rows with json_to_recordset: a field missing or of the wrong type fails the
-- statement (a NOT NULL or CHECK violation, or a cast error) and stores nothing. WITH ORDINALITY keeps the input order, so ids are handed out in it.
-- Outputs: one row { id } (as text) per job; the caller sorts them numerically, which is input order.

-- name: insert-jobs
-- Atomicity: one statement. Wakes nobody: the core calls wakeups.notify() once this has committed.
INSERT INTO errand.jobs (
  task, queue, state, priority, payload, max_attempts, run_at, created_at, concurrency_key
)
SELECT task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey"
FROM ROWS FROM (
  json_to_recordset($1::json) AS (
    task text, queue text, state text, priority bigint, payload text,
    "maxAttempts" bigint, "runAt" bigint, "createdAt" bigint, "concurrencyKey" text
  )
) WITH ORDINALITY AS j (
    task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey", n
  )
ORDER BY n
RETURNING id::text AS id;

-- name: insert-jobs-and-notify
-- The same insert in the caller's own transaction, plus a NOTIFY on channel $2 with each payload of
-- $3 (text[], queue names joined by commas; empty when no job of the batch is due now).
-- Atomicity: runs inside the caller's BEGIN ... COMMIT. PostgreSQL delivers a NOTIFY only when its
--   transaction commits, so a commit wakes the workers and a rollback leaves neither job nor wake-up.
WITH inserted AS (
  INSERT INTO errand.jobs (
    task, queue, state, priority, payload, max_attempts, run_at, created_at, concurrency_key
  )
  SELECT task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey"
  FROM ROWS FROM (
    json_to_recordset($1::json) AS (
      task text, queue text, state text, priority bigint, payload text,
      "maxAttempts" bigint, "runAt" bigint, "createdAt" bigint, "concurrencyKey" text
    )
  ) WITH ORDINALITY AS j (
    task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey", n
  )
  ORDER BY n
  RETURNING id
),
notified AS (
  SELECT count(pg_notify($2, payload)) AS sent FROM unnest($3::text[]) AS payload
)
SELECT inserted.id::text AS id
FROM inserted, notified;
