-- The worker registry: who is alive, for the CLI and dashboard.

-- name: record-worker
-- Inserts or replaces one worker.
-- Inputs: $1 id, $2 hostname, $3 pid, $4 queues (text[], NULL for every queue), $5 tasks (text[]),
--   $6 concurrency, $7 started at, $8 heartbeat at.
-- Outputs: none. Atomicity: one statement.
INSERT INTO errand.workers (id, hostname, pid, queues, tasks, concurrency, started_at, heartbeat_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET
  hostname = excluded.hostname,
  pid = excluded.pid,
  queues = excluded.queues,
  tasks = excluded.tasks,
  concurrency = excluded.concurrency,
  started_at = excluded.started_at,
  heartbeat_at = excluded.heartbeat_at;

-- name: list-workers
-- Inputs: $1 seen since. Outputs: rows of WorkerRecord columns whose heartbeat is at or after $1,
-- oldest start first. A read.
SELECT id, hostname, pid, queues, tasks, concurrency, started_at AS "startedAt",
  heartbeat_at AS "heartbeatAt"
FROM errand.workers
WHERE heartbeat_at >= $1
ORDER BY started_at, id;

-- name: remove-worker
-- Inputs: $1 id. Outputs: none. Atomicity: one statement.
DELETE FROM errand.workers WHERE id = $1;
