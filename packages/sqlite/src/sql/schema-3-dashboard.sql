-- errand's tables, schema version 2 -> 3: indexes for the dashboard's reads.
--
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check and only when the stored version is 2, so it runs exactly once per database.
-- On a large table the CREATE INDEX statements take a while (about a second per million jobs) while
-- holding the write lock: workers wait on busy_timeout meanwhile.

-- list() with filters (reads.sql, list-by-*): each walks one index down from the cursor in id order
-- and stops after the page, however many jobs the filter skips. A filter without a state reads the
-- index once per state and merges (list-jobs.ts). A queue and a task together read the task's index
-- and check the queue on each row: a task's jobs are mostly in one queue.
--
-- These indexes are list()'s alone: each is partial on `id > 0` (true of every job), and SQLite
-- uses a partial index only for a query that states its condition, which only the list-by-*
-- statements do. Without that, the planner (which has no statistics) would pick them for the claim
-- (`state = 'queued' AND task IN ...`) and walk every queued job of the task in id order instead of
-- reading errand_jobs_queued in claim order (test/sqlite/claim-plan.test.ts).
CREATE INDEX IF NOT EXISTS errand_jobs_list_state ON errand_jobs (state, id) WHERE id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_queue ON errand_jobs (queue, state, id) WHERE id > 0;
CREATE INDEX IF NOT EXISTS errand_jobs_list_task ON errand_jobs (task, state, id) WHERE id > 0;

-- finishedCounts() reads the window's range of finished jobs with their queue and state off the
-- index alone; prune() reads the same index in (finished_at, id) order as before.
DROP INDEX IF EXISTS errand_jobs_finished;
CREATE INDEX errand_jobs_finished
  ON errand_jobs (finished_at, id, queue, state) WHERE state IN ('succeeded', 'failed', 'cancelled');
