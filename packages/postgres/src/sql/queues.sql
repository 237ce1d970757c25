-- Paused queues (setQueuePaused, pausedQueues). Every claim skips a queue listed here (claim_jobs,
-- limited-claim.sql); its jobs stay as they are.

-- name: pause-queue
-- Inputs: $1 queue. Outputs: none. Atomicity: one statement; pausing a paused queue changes nothing.
INSERT INTO errand.paused_queues (queue) VALUES ($1) ON CONFLICT (queue) DO NOTHING;

-- name: resume-queue
-- Inputs: $1 queue. Outputs: none. Atomicity: one statement.
DELETE FROM errand.paused_queues WHERE queue = $1;

-- name: paused-queues
-- Inputs: none. Outputs: rows { queue } in name order (by code point, whatever the database's
-- collation). A read.
SELECT queue FROM errand.paused_queues ORDER BY queue COLLATE "C";
