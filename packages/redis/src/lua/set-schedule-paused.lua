-- set-schedule-paused.lua: Backend.setSchedulePaused.
--
-- KEYS[1]  P .. 'id'
-- ARGV     name, '1' to pause or '0' to resume
-- Returns  1, or 0 (no write) when there is no such schedule.
-- Atomic:  one script: the read and rewrite of the schedule's JSON happen together.

local stored = redis.call('HGET', SCHEDULES, ARGV[1])
if not stored then return 0 end
local schedule = cjson.decode(stored)
schedule.paused = ARGV[2] == '1'
redis.call('HSET', SCHEDULES, ARGV[1], cjson.encode(schedule))
return 1
