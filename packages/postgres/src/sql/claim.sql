-- name: claim-jobs
-- Takes up to $4 due jobs whose task is in $1 and (unless $2 is NULL) whose queue is in $2 but
-- neither in $3 nor paused, in order of priority, run_at, id, and marks them running under the
-- given lease.
--
-- Inputs: $1 tasks (text[]), $2 queues (text[], or NULL for every queue), $3 excluded queues
--   (text[], empty for none), $4 limit, $5 now, $6 lease token, $7 lease until, $8 worker id.
-- Outputs: the claimed jobs as JobRecord columns (id as text), in no particular order: the caller
--   sorts them by (priority, runAt, id).
-- Atomicity: one statement. The work is done by errand.claim_jobs() (sql/migrations/002_flow_control.sql),
--   a function only so that it can carry its own planner settings; its statement locks candidates
--   with FOR UPDATE SKIP LOCKED as it reads the indexes, so two claims never take the same job.
--
-- How the due jobs are found without walking jobs that are not due yet:
--   * queued jobs are all due: they are read off jobs_queued in claim order, locked as they come,
--     and the scan stops after $4 rows;
--   * scheduled jobs are due when run_at <= now. Ordering them by priority first would mean walking
--     past every not-yet-due job of a better priority (100,000 jobs due next week make each claim,
--     and each idle poll, read 100,000 index entries). Instead a recursive step skips from one
--     distinct priority to the next (one index seek each), and for each priority p one seek of
--     (priority = p AND run_at <= now) on jobs_scheduled takes at most $4.
--   The union of those candidates is sorted once and cut to $4; candidates locked but not picked
--   are released when the statement ends. The picked rows are updated through the primary key.
-- Tasks and queues are checked on each candidate row: a worker passes over due jobs of tasks it
-- does not run.
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.claim_jobs(
  $1::text[], $2::text[], $3::text[], $4::integer, $5::bigint, $6::text, $7::bigint, $8::text
);
