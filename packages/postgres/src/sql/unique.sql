-- insertUnique(): one job, unless another job holds its unique key. Two statements in one
-- transaction (errand's own, or the caller's): lock-unique-key, then insert-unique.

-- name: lock-unique-key
-- Inputs: $1 the lock name: the schema and the unique key (built by the backend).
-- Outputs: one row { isolation }: the transaction's isolation level. Under REPEATABLE READ or
--   SERIALIZABLE the snapshot was taken when this statement started, before the lock was granted,
--   so insert-unique could miss a holder committed meanwhile (SERIALIZABLE's conflict checks do not
--   see errand's own READ COMMITTED inserts): the backend refuses to go on in a caller's
--   transaction at those levels. Its own transactions are always READ COMMITTED.
-- Atomicity: a transaction-scoped advisory lock on a 64-bit hash of the name, held until the
--   transaction commits or rolls back: every insertUnique of one key, in any process, waits here
--   until the previous one's job is committed (or rolled back). A hash collision between two keys
--   only makes them wait for each other. It is a statement of its own because, under READ
--   COMMITTED, the next statement's snapshot is taken after the lock is granted, and so sees the
--   holder a previous insertUnique just committed.
SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0)) AS locked,
  current_setting('transaction_isolation') AS isolation;

-- name: insert-unique
-- The oldest job holding key $1 at $2 (inserted with that key, in one of the states it was inserted
-- with, and with no unique_until or one after $2), or else a new job holding it.
-- Inputs: $1 unique key, $2 now, $3 the job as a JSON object of NewJob fields (as insert.sql),
--   $4 unique states (text[]), $5 unique until (or NULL).
-- Outputs: one row { id (as text), created }: the holder with created false, or the new job with
--   created true.
-- Atomicity: one statement, run under lock-unique-key in the same transaction, so no other holder of
--   $1 can be committed between the look-up and the insert. Reads jobs_unique_key.
WITH holder AS (
  SELECT id
  FROM errand.jobs
  WHERE unique_key = $1::text
    AND state = ANY (unique_states)
    AND (unique_until IS NULL OR unique_until > $2::bigint)
  ORDER BY id
  LIMIT 1
),
inserted AS (
  INSERT INTO errand.jobs (
    task, queue, state, priority, payload, max_attempts, run_at, created_at, concurrency_key,
    unique_key, unique_states, unique_until
  )
  SELECT task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey",
    $1::text, $4::text[], $5::bigint
  FROM json_to_record($3::json) AS j (
    task text, queue text, state text, priority bigint, payload text,
    "maxAttempts" bigint, "runAt" bigint, "createdAt" bigint, "concurrencyKey" text
  )
  WHERE NOT EXISTS (SELECT 1 FROM holder)
  RETURNING id
)
SELECT id::text AS id, false AS created FROM holder
UNION ALL
SELECT id::text AS id, true AS created FROM inserted;
