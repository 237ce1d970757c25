-- delete-job.lua: Backend.deleteJob, a compare-and-delete.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id (a canonical decimal id, checked by the caller), then the states it may be in
-- Returns  1 when the job was in one of the states and is deleted (its hash, long fields, index
--          entries, count, its entry in unique:<uniqueKey>, and its running-per-key count if it was
--          running), else 0 and no write.
-- Atomic:  one script: the state check and the delete happen together.

local id = ARGV[1]
local job = redis.call('HMGET', job_key(id), 'state', 'pair', 'priority', 'ext', 'uniqueKey', 'concurrencyKey')
local state = job[1]
if not state then return 0 end
local allowed = false
for i = 2, #ARGV do
  if ARGV[i] == state then allowed = true end
end
if not allowed then return 0 end
local m = member(id)
index_remove(m, state, job[2], job[3])
if job[5] then redis.call('ZREM', P .. 'unique:' .. job[5], m) end
if state == 'running' and job[6] then count_running_key(job[6], -1) end
delete_job(id, job[4])
flush()
return 1
