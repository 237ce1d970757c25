-- Schedules declared in code (recordSchedules, listSchedules, fireSchedule, setSchedulePaused).

-- name: record-schedule
-- Inserts a schedule, or updates a recorded one's definition and declared_at while keeping its
-- last_tick_at and paused. The backend runs it once per schedule inside one IMMEDIATE transaction.
-- Inputs: :name, :task, :spec, :payload, :declaredAt. Outputs: none.
INSERT INTO errand_schedules (name, task, spec, payload, last_tick_at, paused, declared_at)
VALUES (:name, :task, :spec, :payload, NULL, 0, :declaredAt)
ON CONFLICT (name) DO UPDATE SET
  task = excluded.task,
  spec = excluded.spec,
  payload = excluded.payload,
  declared_at = excluded.declared_at;

-- name: list-schedules
-- Inputs: none. Outputs: ScheduleRecord columns (paused as 0 or 1), in name order. A read.
SELECT name, task, spec, payload, last_tick_at AS lastTickAt, paused, declared_at AS declaredAt
FROM errand_schedules
ORDER BY name;

-- name: claim-tick
-- Claims one tick of a schedule: moves last_tick_at to :tick if the schedule is not paused and its
-- last tick is before :tick.
-- Inputs: :name, :tick. Outputs: changes = 1 when this caller won the tick, 0 otherwise (no such
--   schedule, paused, or the tick or a later one already fired).
-- Atomicity: fireSchedule() runs it and then, only when it won, inserts the tick's jobs, both in one
--   IMMEDIATE transaction: however many processes fire the same tick, exactly one wins, and a
--   rejected job rolls last_tick_at back with it.
UPDATE errand_schedules
SET last_tick_at = :tick
WHERE name = :name AND paused = 0 AND (last_tick_at IS NULL OR last_tick_at < :tick);

-- name: set-schedule-paused
-- Inputs: :name, :paused (0 or 1). Outputs: changes = 1 when the schedule exists, 0 when it does not.
-- Atomicity: one statement, in an IMMEDIATE transaction.
UPDATE errand_schedules SET paused = :paused WHERE name = :name;
