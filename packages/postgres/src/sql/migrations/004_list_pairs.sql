-- Schema version 4: list()'s six indexes of 003 give way to two, keyed by (queue, task, state, id).
--
-- Why: each list index costs every write that enters it, and the PostgreSQL server's CPU is what
-- bounds the drain. 003 put a job in three list indexes when enqueued and three more when it
-- finished; now it enters one at each. list-filtered (list.sql) reads these two for every filter:
-- it finds the filter's (queue, task) pairs with one seek each, then reads each (pair, state)
-- list down from the cursor, only as far as the page needs.
--
-- Measured (PostgreSQL 15 on a 2-core box shared with other work, load averages 1.3-5.5). On
-- copies of one table of 1,000,000 jobs, 003 -> 004: completing 100 running jobs in one UPDATE
-- 2.6 -> 1.9 ms, inserting 1,000 queued jobs in one INSERT 23.5 -> 15.6 ms (medians of 60,
-- alternating); the list indexes' size 192 -> 52 MB. The bench (20,000 jobs; 10 alternating
-- invocations of 3 runs, medians): enqueue in batches of 1,000 35.6k -> 43.4k jobs/s, the server's
-- CPU per 1,000 jobs drained at c=100 0.062 -> 0.053 s, drain c=100 11.7k -> 12.1k jobs/s (runs
-- spread over 8-17.6k either way: within the noise). A page of 50 among the 1,000,000 jobs (24
-- pairs), first or deep, now takes 2.4-7.3 ms for every filter; before, 1.7-20 ms, and 97-252 ms
-- where the planner walked the primary key past every job (queued jobs below the oldest one, a
-- queue with a task it does not hold). The price: a page costs a seek per pair and per list, so
-- among 2,000 pairs a page of a state takes 30-63 ms (before, 2-10 ms, and 100 ms for queued jobs
-- below the oldest one).
--
-- Inputs: none. Outputs: none. Atomicity: one transaction with the schema_version row it writes,
-- under the migration lock (migrations.ts), as for 001.
--
-- What it costs on a large table: CREATE INDEX (not CONCURRENTLY, which cannot run in a
-- transaction) blocks writes to the jobs table while it builds; reads go on. On the 1,000,000
-- jobs above (950,000 finished) the two builds took 0.3-0.9 s and 3.8-4.2 s (three runs), so
-- writes wait about 5 s per million jobs: run `errand migrate` at a quiet moment. The drops come
-- last and take a few milliseconds, but under the table's exclusive lock, held to the commit that
-- follows at once: reads wait only for them. A transaction that read jobs before the builds and
-- writes to it during them deadlocks with the drops; PostgreSQL aborts one of the two, and a
-- migration aborted so rolls back and runs again at the next start.

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
