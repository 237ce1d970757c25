-- name: transition-jobs
-- A batch of compare-and-sets built by the core. Each change applies only if its job's state is in
-- its `from` and, when it gives a `leaseToken`, the job still holds that lease, and when it gives
-- `leaseExpiredBefore`, the job's lease_until is before it (a rescue must not undo a heartbeat).
-- The backend decides nothing here.
--
-- Inputs: $1 a JSON array with one object per change that updates its job:
--   { i, id, from (array of states), leaseToken (or null: no lease check), leaseExpiredBefore
--     (or null), to, set, runAt, result, errors, attempt, maxAttempts, startedAt, finishedAt }
--   `set` is a bit mask of the fields the change writes (runAt 1, result 2, errors 4, attempt 8,
--   maxAttempts 16, startedAt 32, finishedAt 64): a field whose bit is clear keeps its column as it
--   is (the change left it undefined); a set bit writes the value, null included.
--   $2-$6 the changes that remove their job instead (JobTransition.remove), as parallel arrays:
--   ids, from (the states joined by ','), lease tokens (or null), lease-expired-before (or null), i.
-- Outputs: one row { i } per change that applied (updated, or removed).
-- Plan: the jobs are found through the primary key (`= ANY`), whatever the planner believes about the
--   table's size; a join on id alone may be planned as a scan of the whole table.
-- Atomicity: one statement, so the batch commits or fails as a whole and each change is atomic on its
--   own. Each job appears at most once per call (the backend splits a batch that repeats an id, so
--   that the second change sees the first). Any `to` other than 'running' clears the lease
--   and the cancel request (a cancel request belongs to a running attempt). A removal and an update
--   never touch the same row (a job is in a call once), so the two data-modifying parts cannot conflict.
-- Why removals delete: a deleted row is one WAL record and no new index entries. Completing 100
--   running jobs took 3-6 µs of server CPU per job as a plain DELETE, 6-7 µs as this statement's removal
--   and 16-25 µs as its UPDATE (20,000 jobs, three runs each, 2026-11-24).
WITH changes AS (
  SELECT * FROM json_to_recordset($1::json) AS c(
    i integer,
    id bigint,
    "from" text[],
    "leaseToken" text,
    "leaseExpiredBefore" bigint,
    "to" text,
    set integer,
    "runAt" bigint,
    result text,
    errors text,
    attempt bigint,
    "maxAttempts" bigint,
    "startedAt" bigint,
    "finishedAt" bigint
  )
),
-- Removals come as arrays, not JSON: parsing the JSON row cost about as much as the DELETE itself.
-- No state is named as a constant, so the planner never takes the partial jobs_leases index
-- (keyed by lease_until) for `id = ANY`: it finds the rows through the primary key.
removals AS (
  SELECT *
  FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::integer[])
    AS r(id, "from", "leaseToken", "leaseExpiredBefore", i)
),
removed AS (
  DELETE FROM errand.jobs AS j
  USING removals AS r
  WHERE j.id = ANY ($2::bigint[])
    AND j.id = r.id
    AND j.state = ANY (string_to_array(r."from", ','))
    AND (r."leaseToken" IS NULL OR j.lease_token = r."leaseToken")
    AND (r."leaseExpiredBefore" IS NULL OR j.lease_until < r."leaseExpiredBefore")
  RETURNING r.i
),
updated AS (
  UPDATE errand.jobs AS j
  SET state = c."to",
      run_at = CASE WHEN c.set & 1 <> 0 THEN c."runAt" ELSE j.run_at END,
      result = CASE WHEN c.set & 2 <> 0 THEN c.result ELSE j.result END,
      errors = CASE WHEN c.set & 4 <> 0 THEN c.errors ELSE j.errors END,
      attempt = CASE WHEN c.set & 8 <> 0 THEN c.attempt ELSE j.attempt END,
      max_attempts = CASE WHEN c.set & 16 <> 0 THEN c."maxAttempts" ELSE j.max_attempts END,
      started_at = CASE WHEN c.set & 32 <> 0 THEN c."startedAt" ELSE j.started_at END,
      finished_at = CASE WHEN c.set & 64 <> 0 THEN c."finishedAt" ELSE j.finished_at END,
      lease_token = CASE WHEN c."to" = 'running' THEN j.lease_token END,
      lease_until = CASE WHEN c."to" = 'running' THEN j.lease_until END,
      worker_id = CASE WHEN c."to" = 'running' THEN j.worker_id END,
      cancel_requested = CASE WHEN c."to" = 'running' THEN j.cancel_requested ELSE false END
  FROM changes AS c
  WHERE j.id = ANY (ARRAY(SELECT id FROM changes))
    AND j.id = c.id
    AND j.state = ANY (c."from")
    AND (c."leaseToken" IS NULL OR j.lease_token = c."leaseToken")
    AND (c."leaseExpiredBefore" IS NULL OR j.lease_until < c."leaseExpiredBefore")
  RETURNING c.i
)
SELECT i FROM removed
UNION ALL
SELECT i FROM updated;
