-- Paused queues (setQueuePaused, pausedQueues). Every claim skips a queue listed here (claim.sql,
-- limited-claim.sql); its jobs stay as they are.

-- name: pause-queue
-- Inputs: :queue. Outputs: none. Atomicity: one statement, in an IMMEDIATE transaction; pausing a
-- paused queue changes nothing.
INSERT INTO errand_paused_queues (queue) VALUES (:queue) ON CONFLICT (queue) DO NOTHING;

-- name: resume-queue
-- Inputs: :queue. Outputs: none. Atomicity: one statement, in an IMMEDIATE transaction.
DELETE FROM errand_paused_queues WHERE queue = :queue;

-- name: paused-queues
-- Inputs: none. Outputs: rows { queue } in name order. A read.
SELECT queue FROM errand_paused_queues ORDER BY queue;
