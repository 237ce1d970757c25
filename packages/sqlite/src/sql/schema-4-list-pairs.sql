-- errand's tables, schema version 3 -> 4: one list index per state group instead of three.
--
-- Inputs: none. Outputs: none. Atomicity: run by init() inside one IMMEDIATE transaction, after the
-- schema version check and only when the stored version is 3, so it runs exactly once per database.
-- It drops six indexes and builds two, holding the write lock meanwhile (2-4 s for 1,000,000 jobs
-- on a shared 2-core box): workers wait on busy_timeout.
--
-- Schema 3 kept three list indexes per group ((state, id), (queue, state, id), (task, state, id)), so
-- a job entered three when enqueued and three more when it finished, and a claim took it out of
-- three; each costs about as much as the row write itself. Now one index per group, (queue, task,
-- state, id), serves every filter: list() (list-jobs.ts, sql/list.sql) finds the (queue, task) pairs
-- that match the filter and each (pair, state) range's newest id below the cursor (a seek each),
-- reads the ranges from the newest down until their ids are too old for the page, and fetches the
-- page's rows by id. test/sqlite/list-plan.test.ts checks the plans.
--
-- Measured on a shared 2-core box (load 4-6), schema 3 -> 4:
--   * CPU for 20,000 jobs, backend only (medians of 11, interleaved): enqueue in batches of 1,000
--     376 -> 226 ms, claim by 100 636 -> 509 ms, complete by 100 810 -> 564 ms;
--   * the list indexes of 1,000,000 jobs: 86 -> 37 MB;
--   * a page of 50 among 1,000,000 jobs in 8 pairs (bench/sqlite-list.ts; first page / a page deep
--     in the oldest jobs; the two versions called in turn, medians of 300 calls; with the list code
--     that came with it, list.sql and raw rows): a state 0.48-0.87 -> 0.47-0.82 ms; a queue, no state
--     2.6-3.5 / 1.1-2.8 -> 0.40-0.64 ms; a task, no state 2.2-2.8 / 1.1-2.7 -> 0.49-0.63 ms; a queue
--     and a task, no state 4.6 / 3.1 -> 0.67 / 0.41 ms; a queue, a task or both with a state
--     0.43-0.58 -> 0.24-0.40 ms; no filter 0.43-0.67 -> 0.16-0.29 ms. Schema 3 read a queue and a
--     task through the task's index, checking the queue on each job: slow when the task runs in
--     other queues too; now the pair is one range.
--   * the price: a page costs a seek per pair (and per state without a state), so among 2,000 pairs
--     a page of one state takes 16-29 ms (was ~1 ms).
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
