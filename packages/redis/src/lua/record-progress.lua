-- record-progress.lua: Backend.recordProgress.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id, leaseToken, progress (JSON text)
-- Returns  1 when stored, 0 when the job is not running under that lease.
-- Atomic:  one script; the lease check and the write happen together.

local id, token, progress = ARGV[1], ARGV[2], ARGV[3]
local key = job_key(id)
local job = redis.call('HMGET', key, 'state', 'leaseToken', 'ext')
if job[1] ~= 'running' or job[2] ~= token then return 0 end
write_fields(key, job[3], { progress = progress }, {}, {})
return 1
