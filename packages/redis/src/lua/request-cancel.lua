-- request-cancel.lua: Backend.requestCancel.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id (a canonical decimal id, checked by the caller)
-- Returns  1 when the job is running and now marked (also when it already was), else 0 and no write.
-- Atomic:  one script: the state check and the mark happen together. The lease is untouched;
--          transition.lua drops the mark when the job leaves running.

local key = job_key(ARGV[1])
if redis.call('HGET', key, 'state') ~= 'running' then return 0 end
redis.call('HSET', key, 'cancelRequested', '1')
return 1
