-- Schedules declared in code (recordSchedules, listSchedules, fireSchedule, setSchedulePaused).

-- name: record-schedules
-- Inserts each schedule, or updates a recorded one's definition and declared_at while keeping its
-- last_tick_at and paused. A name given twice takes its last definition (one upsert may not touch a
-- row twice).
-- Inputs: $1 a JSON array of { name, task, spec, payload }, $2 declared at. Outputs: none.
-- Atomicity: one statement, so the batch is recorded whole or not at all.
INSERT INTO errand.schedules (name, task, spec, payload, declared_at)
SELECT DISTINCT ON (name) name, task, spec, payload, $2::bigint
FROM ROWS FROM (
  json_to_recordset($1::json) AS (name text, task text, spec text, payload text)
) WITH ORDINALITY AS s (name, task, spec, payload, n)
ORDER BY name, n DESC
ON CONFLICT (name) DO UPDATE SET
  task = excluded.task,
  spec = excluded.spec,
  payload = excluded.payload,
  declared_at = excluded.declared_at;

-- name: list-schedules
-- Inputs: none. Outputs: ScheduleRecord columns, in name order (by code point). A read.
SELECT name, task, spec, payload, last_tick_at AS "lastTickAt", paused, declared_at AS "declaredAt"
FROM errand.schedules
ORDER BY name COLLATE "C";

-- name: fire-schedule
-- Fires one tick: moves last_tick_at to $2 if schedule $1 exists, is not paused and its last tick is
-- before $2, and only then inserts the tick's jobs.
-- Inputs: $1 name, $2 tick, $3 the jobs as a JSON array of NewJob objects (as insert.sql).
-- Outputs: one row { fired, ids }: fired false (and no ids) when the tick was refused; otherwise the
--   new jobs' ids (text[]) in input order.
-- Atomicity: one statement. A second fire of the tick waits on the schedule's row lock, then finds
--   last_tick_at no longer before its tick and updates nothing, so it inserts nothing: exactly one
--   fire wins. A job the store rejects fails the statement, and last_tick_at stays as it was.
WITH tick AS (
  UPDATE errand.schedules
  SET last_tick_at = $2::bigint
  WHERE name = $1::text AND NOT paused AND (last_tick_at IS NULL OR last_tick_at < $2::bigint)
  RETURNING 1
),
inserted AS (
  INSERT INTO errand.jobs (
    task, queue, state, priority, payload, max_attempts, run_at, created_at, concurrency_key
  )
  SELECT task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey"
  FROM ROWS FROM (
    json_to_recordset($3::json) AS (
      task text, queue text, state text, priority bigint, payload text,
      "maxAttempts" bigint, "runAt" bigint, "createdAt" bigint, "concurrencyKey" text
    )
  ) WITH ORDINALITY AS j (
    task, queue, state, priority, payload, "maxAttempts", "runAt", "createdAt", "concurrencyKey", n
  )
  WHERE EXISTS (SELECT 1 FROM tick)
  ORDER BY n
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM tick) AS fired, ARRAY(SELECT id::text FROM inserted ORDER BY id) AS ids;

-- name: set-schedule-paused
-- Inputs: $1 name, $2 paused (boolean). Outputs: one row when the schedule exists, none otherwise.
-- Atomicity: one statement.
UPDATE errand.schedules SET paused = $2::boolean WHERE name = $1::text RETURNING 1 AS found;
