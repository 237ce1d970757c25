-- list(): a page of jobs, newest first, below a cursor (the id of the previous page's last job).
-- Each is one statement, so a page is one consistent snapshot.

-- name: list-all
-- list() with no filter: the primary key, walked down from $1, so a deep page costs no more than the
-- first. Inputs: $1 before (an id; the largest bigint for the first page), $2 limit (the caller asks
-- for one row more than the page, to know whether there is a next).
-- Outputs: JobRecord columns (id as text), highest id first.
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs AS t
WHERE t.id < $1
ORDER BY t.id DESC
LIMIT $2;

-- name: list-filtered
-- list() with a filter: up to $5 jobs below $4 among the states in $1, of task $2 and queue $3,
-- highest id first.
-- Inputs: $1 states (text[]: the one filtered on, or all six), $2 task, $3 queue (each NULL for
--   any), $4 before (an id), $5 limit (one row more than the page).
-- Outputs: JobRecord columns (id as text), highest id first.
--
-- Plan. Waiting and finished jobs are read off jobs_list_waiting_pairs and
-- jobs_list_finished_pairs (004_list_pairs.sql), both keyed by (queue, task, state, id): a
-- (queue, task, state) is a list of ids, in order. For each of the two sets holding a wanted state:
-- 1. *_pairs: the set's (queue, task) pairs in the filter, one index seek each (a loose index
--    scan: the pair after (q, t) is the first entry above it). With a queue, the seeks stay in the
--    queue; with a task alone, each goes to the next queue, whose pair is (that queue, the task),
--    so no queue's other tasks are walked; with both, there is one pair.
-- 2. *_heads: each list's head, its highest id below $4: one seek per pair and wanted state.
-- 3. floor: the $5 highest heads come from $5 lists, each holding a job at or above the lowest of
--    them, so the page holds no job below it. With fewer heads than $5, it is 0.
-- 4. *_ids: from each list whose head is at or above the floor, its ids down to the floor, at most
--    $5, walked down the index (the index alone once vacuum has marked the pages all-visible).
-- Running jobs are few (the workers' slots) and have no list index: running_ids reads them all
-- off jobs_leases, and each counts as a list of one. The ids are merged and cut to $5, and only
-- those rows read, through the primary key. So a page costs a seek per pair and one per list, and
-- at most $5 ids from each of at most $5 lists (about $5 in all when the lists interleave), however
-- many jobs the filter skips: no plan walks a whole state or sorts every matching job
-- (list-plan.test.ts, list-many-pairs.test.ts).
--
-- Every read of a list index states its set and `id > 0`, which is how PostgreSQL knows the
-- partial index applies, and whether $1 wants the set. Run unnamed, so each run is planned with
-- its values: the filters not given, the CASE and the sets not wanted fold away, and the planner
-- spends no time on the reads they leave out. (t.id, not id: the bigint, not the text the SELECT
-- makes of it.)
WITH RECURSIVE waiting_pairs (queue, task) AS (
  (SELECT j.queue, coalesce($2::text, j.task)
  FROM errand.jobs AS j
  WHERE $1::text[] && '{scheduled,queued}' AND j.state IN ('scheduled', 'queued') AND j.id > 0
    AND ($3::text IS NULL OR j.queue = $3::text)
  ORDER BY j.queue, j.task
  LIMIT 1)
  UNION ALL
  SELECT n.queue, n.task
  FROM waiting_pairs AS p
  CROSS JOIN LATERAL (
    SELECT j.queue, coalesce($2::text, j.task) AS task
    FROM errand.jobs AS j
    WHERE $1::text[] && '{scheduled,queued}' AND j.state IN ('scheduled', 'queued') AND j.id > 0
      AND CASE
        WHEN $3::text IS NOT NULL THEN $2::text IS NULL AND j.queue = $3::text AND j.task > p.task
        WHEN $2::text IS NOT NULL THEN j.queue > p.queue
        ELSE (j.queue, j.task) > (p.queue, p.task)
      END
    ORDER BY j.queue, j.task
    LIMIT 1
  ) AS n
),
finished_pairs (queue, task) AS (
  (SELECT j.queue, coalesce($2::text, j.task)
  FROM errand.jobs AS j
  WHERE $1::text[] && '{succeeded,failed,cancelled}'
    AND j.state IN ('succeeded', 'failed', 'cancelled') AND j.id > 0
    AND ($3::text IS NULL OR j.queue = $3::text)
  ORDER BY j.queue, j.task
  LIMIT 1)
  UNION ALL
  SELECT n.queue, n.task
  FROM finished_pairs AS p
  CROSS JOIN LATERAL (
    SELECT j.queue, coalesce($2::text, j.task) AS task
    FROM errand.jobs AS j
    WHERE $1::text[] && '{succeeded,failed,cancelled}'
      AND j.state IN ('succeeded', 'failed', 'cancelled') AND j.id > 0
      AND CASE
        WHEN $3::text IS NOT NULL THEN $2::text IS NULL AND j.queue = $3::text AND j.task > p.task
        WHEN $2::text IS NOT NULL THEN j.queue > p.queue
        ELSE (j.queue, j.task) > (p.queue, p.task)
      END
    ORDER BY j.queue, j.task
    LIMIT 1
  ) AS n
),
waiting_heads (queue, task, state, id) AS MATERIALIZED (
  SELECT p.queue, p.task, s.state, h.id
  FROM waiting_pairs AS p
  CROSS JOIN unnest($1::text[]) AS s (state)
  CROSS JOIN LATERAL (
    SELECT j.id
    FROM errand.jobs AS j
    WHERE $1::text[] && '{scheduled,queued}' AND j.state IN ('scheduled', 'queued') AND j.id > 0
      AND j.queue = p.queue AND j.task = p.task AND j.state = s.state AND j.id < $4
    ORDER BY j.id DESC
    LIMIT 1
  ) AS h
  WHERE s.state IN ('scheduled', 'queued')
),
finished_heads (queue, task, state, id) AS MATERIALIZED (
  SELECT p.queue, p.task, s.state, h.id
  FROM finished_pairs AS p
  CROSS JOIN unnest($1::text[]) AS s (state)
  CROSS JOIN LATERAL (
    SELECT j.id
    FROM errand.jobs AS j
    WHERE $1::text[] && '{succeeded,failed,cancelled}'
      AND j.state IN ('succeeded', 'failed', 'cancelled') AND j.id > 0
      AND j.queue = p.queue AND j.task = p.task AND j.state = s.state AND j.id < $4
    ORDER BY j.id DESC
    LIMIT 1
  ) AS h
  WHERE s.state IN ('succeeded', 'failed', 'cancelled')
),
-- MATERIALIZED: planned alone, it reads jobs_leases. Merged into an ordered read of the rest, it
-- could walk the primary key down instead, through every job, hoping to meet running ones early.
running_ids (id) AS MATERIALIZED (
  SELECT j.id
  FROM errand.jobs AS j
  WHERE 'running' = ANY ($1::text[]) AND j.state = 'running' AND j.id < $4
    AND ($2::text IS NULL OR j.task = $2::text) AND ($3::text IS NULL OR j.queue = $3::text)
  ORDER BY j.id DESC
  LIMIT $5
),
floor (id) AS MATERIALIZED (
  SELECT CASE WHEN count(*) = $5 THEN min(top.id) ELSE 0 END
  FROM (SELECT id FROM waiting_heads UNION ALL SELECT id FROM finished_heads
    UNION ALL SELECT id FROM running_ids
    ORDER BY id DESC
    LIMIT $5) AS top
),
waiting_ids (id) AS (
  SELECT c.id
  FROM waiting_heads AS h
  CROSS JOIN LATERAL (
    SELECT j.id
    FROM errand.jobs AS j
    WHERE $1::text[] && '{scheduled,queued}' AND j.state IN ('scheduled', 'queued') AND j.id > 0
      AND j.queue = h.queue AND j.task = h.task AND j.state = h.state
      AND j.id <= h.id AND j.id >= (SELECT id FROM floor)
    ORDER BY j.id DESC
    LIMIT $5
  ) AS c
  WHERE h.id >= (SELECT id FROM floor)
),
finished_ids (id) AS (
  SELECT c.id
  FROM finished_heads AS h
  CROSS JOIN LATERAL (
    SELECT j.id
    FROM errand.jobs AS j
    WHERE $1::text[] && '{succeeded,failed,cancelled}'
      AND j.state IN ('succeeded', 'failed', 'cancelled') AND j.id > 0
      AND j.queue = h.queue AND j.task = h.task AND j.state = h.state
      AND j.id <= h.id AND j.id >= (SELECT id FROM floor)
    ORDER BY j.id DESC
    LIMIT $5
  ) AS c
  WHERE h.id >= (SELECT id FROM floor)
)
SELECT id::text AS id, task, queue, state, priority, payload, result, progress, errors, attempt,
  max_attempts AS "maxAttempts", run_at AS "runAt", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", lease_token AS "leaseToken",
  lease_until AS "leaseUntil", worker_id AS "workerId", unique_key AS "uniqueKey",
  concurrency_key AS "concurrencyKey", cancel_requested AS "cancelRequested"
FROM errand.jobs AS t
WHERE t.id = ANY (ARRAY(
  SELECT c.id
  FROM (SELECT id FROM waiting_ids UNION ALL SELECT id FROM finished_ids
    UNION ALL SELECT id FROM running_ids) AS c
  ORDER BY c.id DESC
  LIMIT $5
))
ORDER BY t.id DESC;
