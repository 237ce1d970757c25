-- Schema version 4: list()'s six indexes of 003 give way to two, keyed by (queue, task, state, id).
--
-- Why: each list index costs every write that enters it, and PostgreSQL's CPU is what bounds the
-- drain. 003 put a job in three list indexes at enqueue and three more when it finished; now it
-- enters one at each. list-filtered (list.sql) reads these two for every filter: it finds the
-- filter's (queue, task) pairs with one seek each, then walks each pair's wanted states down from
-- the cursor.
--
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes,
-- under the migration lock (migrations.ts), as for 001.
--
-- What it costs on a large table: CREATE INDEX (not CONCURRENTLY, which cannot run in a
-- transaction) blocks writes to the jobs table while it builds; reads go on. The drops come last:
-- they take the table's exclusive lock, held to the commit, which follows at once. A transaction
-- that read jobs before the builds and writes after them deadlocks with the drops; PostgreSQL then
-- aborts one of the two, and a migration aborted so rolls back and runs again at the next start.
-- MEASURED

-- A partial index is used only by a query that implies its condition; `id > 0` (true of every job)
-- is implied only by list-filtered, which states it, so the claim (claim-plan.test.ts), prune and
-- finishedCounts never read these.
CREATE INDEX jobs_list_waiting_pairs ON errand.jobs (queue, task, state, id)
  WHERE state IN ('scheduled', 'queued') AND id > 0;
CREATE INDEX jobs_list_finished_pairs ON errand.jobs (queue, task, state, id)
  WHERE state IN ('succeeded', 'failed', 'cancelled') AND id > 0;

DROP INDEX errand.jobs_list_waiting;
DROP INDEX errand.jobs_list_waiting_queue;
DROP INDEX errand.jobs_list_waiting_task;
DROP INDEX errand.jobs_list_finished;
DROP INDEX errand.jobs_list_finished_queue;
DROP INDEX errand.jobs_list_finished_task;
