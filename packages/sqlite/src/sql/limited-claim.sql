-- A claim with a rate or concurrency limit (ClaimRequest.rate, ClaimRequest.concurrency). The backend
-- runs these statements in one IMMEDIATE transaction per claim (limited-claim.ts): SQLite lets one
-- writer in at a time, so the counts read here cannot change before the claim commits, and the
-- limits hold across every process sharing the file.
--
-- A rate-limited claim: prune-rate-starts, count-rate-starts, then claim-jobs (claim.sql) with its
-- limit cut to max minus the count, then record-rate-starts for the jobs it took.
-- A concurrency-limited claim: running-per-key, then rounds of claim-candidates and claim-ids until
-- the limit is reached or no candidate is left (see claim-candidates).

-- name: prune-rate-starts
-- Deletes a rate key's starts at or before :before (now - 2 * periodMs). Not at now - periodMs: a claim
-- whose `now` was read earlier (its process waited for the write lock) still counts the starts after
-- its own now - periodMs, which this claim's window has left.
-- Inputs: :rateKey, :before. Outputs: none. Reads errand_rate_starts_key.
DELETE FROM errand_rate_starts WHERE rate_key = :rateKey AND started_at <= :before;

-- name: count-rate-starts
-- The jobs started under a rate key after :since (now - periodMs), those recorded after :now included:
-- they come from a claim that committed first with a later `now`, and would start in this window too.
-- Inputs: :rateKey, :since. Outputs: one row { started } (0 when there is none).
SELECT coalesce(sum(starts), 0) AS started
FROM errand_rate_starts
WHERE rate_key = :rateKey AND started_at > :since;

-- name: record-rate-starts
-- Records that one claim started :starts jobs (at least one) at :now under a rate key.
-- Inputs: :rateKey, :now, :starts. Outputs: none.
INSERT INTO errand_rate_starts (rate_key, started_at, starts) VALUES (:rateKey, :now, :starts);

-- name: running-per-key
-- How many jobs run under each concurrency key (expired leases included: they run until rescued).
-- Inputs: none. Outputs: rows { concurrencyKey, running }. Reads errand_jobs_running_concurrency;
-- running jobs are few (at most the workers' slots, plus expired leases not yet rescued).
SELECT concurrency_key AS concurrencyKey, count(*) AS running
FROM errand_jobs
WHERE state = 'running' AND concurrency_key IS NOT NULL
GROUP BY concurrency_key;

-- name: claim-candidates
-- Up to :limit due jobs a claim may take, found exactly as claim-jobs (claim.sql) finds them (same
-- filters, same order, same indexes), but read only, leaving out the jobs of the keys in :fullKeys.
-- The backend walks them in order and takes each one whose key still has room, counting the ones it
-- takes. A job it skips (its key filled up during this round) sends it round again with that key in
-- :fullKeys, so a key with many waiting jobs never hides the jobs behind them; every extra round
-- follows a key filling up, so a claim makes at most limit + 1 rounds.
-- Inputs: as claim-jobs (without the lease), plus :fullKeys (JSON array of concurrency keys).
-- Outputs: rows { id, concurrencyKey }, in claim order (priority, run_at, id).
WITH RECURSIVE priorities (p) AS (
  SELECT min(priority) FROM errand_jobs WHERE state = 'scheduled'
  UNION ALL
  SELECT (SELECT min(priority) FROM errand_jobs WHERE state = 'scheduled' AND priority > p)
  FROM priorities
  WHERE p IS NOT NULL
)
SELECT id, concurrency_key AS concurrencyKey FROM (
  SELECT * FROM (
    SELECT id, priority, run_at, concurrency_key FROM errand_jobs
    WHERE state = 'queued'
      AND task IN (SELECT value FROM json_each(:tasks))
      AND (:queues IS NULL OR queue IN (SELECT value FROM json_each(:queues)))
      AND queue NOT IN (SELECT queue FROM errand_paused_queues)
      AND queue NOT IN (SELECT value FROM json_each(:excludeQueues))
      AND (concurrency_key IS NULL OR concurrency_key NOT IN (SELECT value FROM json_each(:fullKeys)))
    ORDER BY priority, run_at, id
    LIMIT :limit + 0
  )
  UNION ALL
  SELECT due.id, due.priority, due.run_at, due.concurrency_key
  FROM priorities, errand_jobs AS due
  WHERE due.id IN (
    SELECT id FROM errand_jobs
    WHERE state = 'scheduled'
      AND priority = priorities.p
      AND run_at <= :now
      AND task IN (SELECT value FROM json_each(:tasks))
      AND (:queues IS NULL OR queue IN (SELECT value FROM json_each(:queues)))
      AND queue NOT IN (SELECT queue FROM errand_paused_queues)
      AND queue NOT IN (SELECT value FROM json_each(:excludeQueues))
      AND (concurrency_key IS NULL OR concurrency_key NOT IN (SELECT value FROM json_each(:fullKeys)))
    ORDER BY run_at, id
    LIMIT :limit + 0
  )
)
ORDER BY priority, run_at, id
LIMIT :limit + 0;

-- name: claim-ids
-- Marks the chosen candidates running under the claim's lease, as claim-jobs does.
-- Inputs: :ids (JSON array of job ids as numbers, from claim-candidates in this same transaction, so
--   they are still due), :now, :leaseToken, :leaseUntil, :workerId.
-- Outputs: the claimed jobs as JobRecord columns (id as an integer), in no particular order.
UPDATE errand_jobs
SET state = 'running',
    attempt = attempt + 1,
    started_at = :now,
    lease_token = :leaseToken,
    lease_until = :leaseUntil,
    worker_id = :workerId
WHERE id IN (SELECT value FROM json_each(:ids))
  AND state IN ('queued', 'scheduled')
RETURNING id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS maxAttempts, run_at AS runAt, created_at AS createdAt, started_at AS startedAt,
  finished_at AS finishedAt, lease_token AS leaseToken, lease_until AS leaseUntil, worker_id AS workerId,
  unique_key AS uniqueKey, concurrency_key AS concurrencyKey, cancel_requested AS cancelRequested;
