-- record-schedules.lua: Backend.recordSchedules.
--
-- KEYS[1]  P .. 'id'
-- ARGV     declaredAt, then the schedules as JSON: [[name, task, spec, payload], ...] (checked by
--          the caller)
-- Returns  nothing.
-- Atomic:  one script. A new schedule starts with lastTickAt false (null) and not paused; an
--          existing one takes the given task, spec, payload and declaredAt and keeps lastTickAt and
--          paused. Schedules not given are left as they are.

local declared_at = ARGV[1]
for _, def in ipairs(cjson.decode(ARGV[2])) do
  local name = def[1]
  local old = redis.call('HGET', SCHEDULES, name)
  local schedule = old and cjson.decode(old) or { lastTickAt = false, paused = false }
  schedule.task, schedule.spec, schedule.payload, schedule.declaredAt = def[2], def[3], def[4], declared_at
  redis.call('HSET', SCHEDULES, name, cjson.encode(schedule))
end
return nil
