-- fire-schedule.lua: Backend.fireSchedule, one tick of a schedule, exactly once.
--
-- KEYS[1]  P .. 'id'
-- ARGV     name, tick (decimal text), then the tick's jobs as JSON in insert.lua's form (checked by
--          the caller; may be empty)
-- Returns  JSON: the new jobs' ids in input order, or nil (no write) when the schedule does not
--          exist, is paused, or its lastTickAt is >= tick.
-- Atomic:  one script: the check of lastTickAt, its update and the insert happen together, so of
--          any number of workers firing one tick, one fires it.
-- Wakes:   as insert.lua.

local name, tick = ARGV[1], ARGV[2]
local stored = redis.call('HGET', SCHEDULES, name)
if not stored then return nil end
local schedule = cjson.decode(stored)
if schedule.paused then return nil end
if schedule.lastTickAt and tonumber(schedule.lastTickAt) >= tonumber(tick) then return nil end

local jobs = cjson.decode(ARGV[3])
local ids = {}
if #jobs > 0 then
  local first, wake = insert_jobs(jobs, nil)
  for i = 1, #jobs do ids[i] = string.format('%d', first + i - 1) end
  publish_wake(wake)
end
schedule.lastTickAt = tick
redis.call('HSET', SCHEDULES, name, cjson.encode(schedule))
return reply_json(ids)
