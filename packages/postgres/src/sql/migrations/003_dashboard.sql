-- Schema version 3: indexes for the dashboard's reads (list() by every filter, finishedCounts()).
--
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes
-- (migrations.ts). CREATE INDEX (not CONCURRENTLY, which cannot run in a transaction) blocks writes
-- to the jobs table while it builds: about a second per million jobs. On a large table, run
-- `errand migrate` at a quiet moment.

-- list() (reads.sql, list-filtered): each state's jobs walked down from the cursor in id order, by
-- state alone, by queue or by task, stopping after the page however many jobs the filter skips.
-- A filter without a state walks each state and merges. A queue and a task together walk one of
-- the two and check the other on each row.
--
-- Two sets, partial on the states they hold: waiting jobs (written at enqueue) and finished ones
-- (written when a job finishes). A claim moves a job from queued to running and enters neither, so
-- the hottest write pays nothing for them. Running jobs have no list index: they are few (the
-- workers' slots), and list-filtered reads them off jobs_leases.
--
-- These indexes are list()'s alone: each is also partial on `id > 0` (true of every job), and
-- PostgreSQL uses a partial index only for a query that implies its condition, which only
-- list-filtered states. The claim's plans (claim-plan.test.ts) never see them.
CREATE INDEX jobs_list_waiting ON errand.jobs (state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX jobs_list_waiting_queue ON errand.jobs (queue, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX jobs_list_waiting_task ON errand.jobs (task, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX jobs_list_finished ON errand.jobs (state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;
CREATE INDEX jobs_list_finished_queue ON errand.jobs (queue, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;
CREATE INDEX jobs_list_finished_task ON errand.jobs (task, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;

-- finishedCounts() reads the window's range with each job's queue and state off the index (an
-- index-only scan once vacuum has marked the pages all-visible); prune() reads it as before.
DROP INDEX errand.jobs_finished;
CREATE INDEX jobs_finished ON errand.jobs (finished_at, id) INCLUDE (queue, state)
  WHERE state IN ('succeeded', 'failed', 'cancelled');
