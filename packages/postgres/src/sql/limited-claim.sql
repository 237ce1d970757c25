-- A claim with a rate or concurrency limit (ClaimRequest.rate, ClaimRequest.concurrency). The backend
-- runs these statements in one transaction per claim (limited-claim.ts), on one pooled connection,
-- at READ COMMITTED: each statement's snapshot is taken after the locks before it were granted.
--
-- A rate-limited claim: lock-limit on the rate key, prune-rate-starts, count-rate-starts, then
--   claim-jobs (claim.sql) or the concurrency rounds with the limit cut to max minus the count, then
--   record-rate-starts for the jobs it took.
-- A concurrency-limited claim: lock-limit on the schema's one concurrency lock (every
--   concurrency-limited claim of the store waits for the one before it, so the running jobs counted
--   cannot grow meanwhile), running-per-key, then rounds of claim-candidates and claim-ids until
--   the limit is reached or no candidate is left (see claim-candidates).
-- With both, the rate lock is taken first, always in this order, so two claims never deadlock.

-- name: lock-limit
-- Inputs: $1 the lock name (built by the backend: the schema, and the rate key or "concurrency").
-- Outputs: none.
-- Atomicity: a transaction-scoped advisory lock on a 64-bit hash of the name, held until the claim
--   commits or rolls back. A hash collision only makes two limits wait for each other.
SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0));

-- name: prune-rate-starts
-- Deletes a rate key's starts at or before $2 (now - 2 * periodMs). Not at now - periodMs: a claim
-- whose `now` was read earlier (its process waited for the lock) still counts the starts after its
-- own now - periodMs, which this claim's window has left.
-- Inputs: $1 rate key, $2 before. Outputs: none. Reads rate_starts_key.
DELETE FROM errand.rate_starts WHERE rate_key = $1::text AND started_at <= $2::bigint;

-- name: count-rate-starts
-- The jobs started under a rate key after $2 (now - periodMs), those recorded after this claim's now
-- included: they come from a claim that committed first with a later `now`, and would start in this
-- window too.
-- Inputs: $1 rate key, $2 since. Outputs: one row { started } (0 when there is none).
SELECT coalesce(sum(starts), 0)::bigint AS started
FROM errand.rate_starts
WHERE rate_key = $1::text AND started_at > $2::bigint;

-- name: record-rate-starts
-- Records that one claim started $3 jobs (at least one) at $2 under rate key $1. Outputs: none.
INSERT INTO errand.rate_starts (rate_key, started_at, starts) VALUES ($1::text, $2::bigint, $3::integer);

-- name: running-per-key
-- How many jobs run under each concurrency key (expired leases included: they run until rescued).
-- Inputs: none. Outputs: rows { concurrencyKey, running }. Reads jobs_running_concurrency; running
-- jobs are few (at most the workers' slots, plus expired leases not yet rescued).
SELECT concurrency_key AS "concurrencyKey", count(*)::bigint AS running
FROM errand.jobs
WHERE state = 'running' AND concurrency_key IS NOT NULL
GROUP BY concurrency_key;

-- name: claim-candidates
-- Up to $4 due jobs the claim may take, found as claim_jobs finds them (same filters, same order,
-- same indexes), leaving out the jobs of the keys in $6, and locked (FOR UPDATE SKIP LOCKED) until
-- the claim's transaction ends, so no other claim takes them meanwhile. The backend walks them in
-- order and takes each one whose key still has room, counting the ones it takes. A job it skips (its
-- key filled up during this round) sends it round again with that key in $6, so a key with many
-- waiting jobs never hides the jobs behind them; every extra round follows a key filling up, so a
-- claim makes at most limit + 1 rounds.
-- Inputs: $1 tasks, $2 queues (or NULL), $3 excluded queues, $4 limit, $5 now, $6 full keys (text[]).
-- Outputs: rows { id (as text), concurrencyKey }, in claim order (priority, run_at, id).
WITH RECURSIVE priorities (p) AS (
  SELECT min(priority) FROM errand.jobs WHERE state = 'scheduled'
  UNION ALL
  SELECT (SELECT min(priority) FROM errand.jobs WHERE state = 'scheduled' AND priority > p)
  FROM priorities
  WHERE p IS NOT NULL
),
queued AS (
  SELECT q.id, q.priority, q.run_at, q.concurrency_key
  FROM errand.jobs AS q
  WHERE q.state = 'queued'
    AND q.task = ANY ($1::text[])
    AND ($2::text[] IS NULL OR q.queue = ANY ($2::text[]))
    AND NOT (q.queue = ANY ($3::text[]))
    AND NOT (q.queue = ANY (ARRAY(SELECT queue FROM errand.paused_queues)))
    AND (q.concurrency_key IS NULL OR NOT (q.concurrency_key = ANY ($6::text[])))
  ORDER BY q.priority, q.run_at, q.id
  LIMIT $4::integer
  FOR UPDATE OF q SKIP LOCKED
),
due AS (
  SELECT d.id, d.priority, d.run_at, d.concurrency_key
  FROM priorities
  CROSS JOIN LATERAL (
    SELECT s.id, s.priority, s.run_at, s.concurrency_key
    FROM errand.jobs AS s
    WHERE s.state = 'scheduled'
      AND s.priority = priorities.p
      AND s.run_at <= $5::bigint
      AND s.task = ANY ($1::text[])
      AND ($2::text[] IS NULL OR s.queue = ANY ($2::text[]))
      AND NOT (s.queue = ANY ($3::text[]))
      AND NOT (s.queue = ANY (ARRAY(SELECT queue FROM errand.paused_queues)))
      AND (s.concurrency_key IS NULL OR NOT (s.concurrency_key = ANY ($6::text[])))
    ORDER BY s.run_at, s.id
    LIMIT $4::integer
    FOR UPDATE OF s SKIP LOCKED
  ) AS d
)
SELECT c.id::text AS id, c.concurrency_key AS "concurrencyKey"
FROM (SELECT * FROM queued UNION ALL SELECT * FROM due) AS c
ORDER BY c.priority, c.run_at, c.id
LIMIT $4::integer;

-- name: claim-ids
-- Marks the chosen candidates running under the claim's lease, as claim_jobs does.
-- Inputs: $1 ids (bigint[], from claim-candidates in this same transaction, locked by it), $2 now,
--   $3 lease token, $4 lease until, $5 worker id.
-- Outputs: the claimed jobs as JobRecord columns (id as text), in no particular order.
UPDATE errand.jobs AS j
SET state = 'running',
    attempt = j.attempt + 1,
    started_at = $2::bigint,
    lease_token = $3::text,
    lease_until = $4::bigint,
    worker_id = $5::text,
    cancel_requested = false
WHERE j.id = ANY ($1::bigint[])
  AND j.state IN ('queued', 'scheduled')
RETURNING j.id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested";
