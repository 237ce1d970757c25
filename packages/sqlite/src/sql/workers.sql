-- The worker registry: who is alive, for the CLI and dashboard. queues and tasks are stored as
-- JSON arrays (queues NULL for every queue).

-- name: record-worker
-- Inserts or replaces one worker. Inputs: :id, :hostname, :pid, :queues, :tasks, :concurrency,
-- :startedAt, :heartbeatAt. Outputs: none. Atomicity: one statement, in an IMMEDIATE transaction.
INSERT INTO errand_workers (id, hostname, pid, queues, tasks, concurrency, started_at, heartbeat_at)
VALUES (:id, :hostname, :pid, :queues, :tasks, :concurrency, :startedAt, :heartbeatAt)
ON CONFLICT (id) DO UPDATE SET
  hostname = excluded.hostname,
  pid = excluded.pid,
  queues = excluded.queues,
  tasks = excluded.tasks,
  concurrency = excluded.concurrency,
  started_at = excluded.started_at,
  heartbeat_at = excluded.heartbeat_at;

-- name: list-workers
-- Inputs: :seenSince. Outputs: rows of WorkerRecord columns (queues and tasks as JSON text) whose
-- heartbeat is at or after :seenSince, oldest start first. A read.
SELECT id, hostname, pid, queues, tasks, concurrency, started_at AS startedAt, heartbeat_at AS heartbeatAt
FROM errand_workers
WHERE heartbeat_at >= :seenSince
ORDER BY started_at, id;

-- name: remove-worker
-- Inputs: :id. Outputs: none. Atomicity: one statement, in an IMMEDIATE transaction.
DELETE FROM errand_workers WHERE id = :id;
