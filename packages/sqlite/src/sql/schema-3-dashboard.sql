-- errand's tables, schema version 2 -> 3: indexes for the dashboard's reads.
--
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check and only when the stored version is 2, so it runs exactly once per database.
-- On a large table the CREATE INDEX statements take a while (about a second per million jobs) while
-- holding the write lock: workers wait on busy_timeout meanwhile.

-- list() with filters (reads.sql, list-*): each walks one index down from the cursor in id order
-- and stops after the page, however many jobs the filter skips. A filter without a state reads the
-- indexes once per state and merges (list-jobs.ts). A queue and a task together read the task's
-- index and check the queue on each row: a task's jobs are mostly in one queue.
--
-- Two sets, partial on the states they hold: waiting jobs (written at enqueue) and finished ones
-- (written when a job finishes). A claim moves a job from queued to running and touches neither, so
-- the hottest write pays nothing for them. Running jobs have no list index: they are few (the
-- workers' slots), and list-running reads them off errand_jobs_leases.
--
-- These indexes are list()'s alone: each is also partial on `id > 0` (true of every job), and
-- SQLite uses a partial index only for a query that states its conditions, which only the list-*
-- statements do. Without that, the planner (which has no statistics) would pick them for the claim
-- (`state = 'queued' AND task IN ...`) and walk every queued job of the task in id order instead of
-- reading errand_jobs_queued in claim order (test/sqlite/claim-plan.test.ts).
CREATE INDEX IF NOT EXISTS errand_jobs_list_waiting ON errand_jobs (state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_waiting_queue ON errand_jobs (queue, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_waiting_task ON errand_jobs (task, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_finished ON errand_jobs (state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_finished_queue ON errand_jobs (queue, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_finished_task ON errand_jobs (task, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;

-- finishedCounts() reads the window's range of finished jobs with their queue and state off the
-- index alone; prune() reads the same index in (finished_at, id) order as before.
DROP INDEX IF EXISTS errand_jobs_finished;
CREATE INDEX errand_jobs_finished
  ON errand_jobs (finished_at, id, queue, state) WHERE state IN ('succeeded', 'failed', 'cancelled');
