-- errand's tables, schema version 3 -> 4: one list index per state group instead of three.
--
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check and only when the stored version is 3, so it runs exactly once per database.
-- On a large table the CREATE INDEX statements take a while while holding the write lock:
-- workers wait on busy_timeout meanwhile.
--
-- Schema 3 kept three list indexes per group ((state, id), (queue, state, id), (task, state, id)), so
-- a job entered three when enqueued and three more when it finished; each costs about as much as the
-- row write itself. Now one index per group, (queue, task, state, id), serves every filter: list()
-- (list-jobs.ts, sql/list.sql) finds the (queue, task) pairs that match the filter with one seek per
-- pair, reads each pair's newest ids of each wanted state below the cursor, merges them and stops at
-- the page. A page costs a seek per pair and state, however many jobs the filter skips.
--
-- Both stay partial on `id > 0` (true of every job) as in schema 3: SQLite uses a partial index only
-- for a query that states its conditions, and prune-jobs and finished-counts state the finished
-- group's `state IN (...)` word for word. Only the list statements also say `id > 0`, so only they
-- can ever read these indexes, whatever the planner thinks of them.
DROP INDEX IF EXISTS errand_jobs_list_waiting;
DROP INDEX IF EXISTS errand_jobs_list_waiting_queue;
DROP INDEX IF EXISTS errand_jobs_list_waiting_task;
DROP INDEX IF EXISTS errand_jobs_list_finished;
DROP INDEX IF EXISTS errand_jobs_list_finished_queue;
DROP INDEX IF EXISTS errand_jobs_list_finished_task;
CREATE INDEX errand_jobs_list_waiting ON errand_jobs (queue, task, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX errand_jobs_list_finished ON errand_jobs (queue, task, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;
