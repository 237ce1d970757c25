-- delete-job.lua: Backend.deleteJob, a compare-and-delete.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id (a canonical decimal id, checked by the caller), then the states it may be in
-- Returns  1 when the job was in one of the states and is deleted (its hash, long fields, index
--          entries, count, its entry in unique:<uniqueKey>, and its running-per-key count if it was
--          running), else 0 and no write.
-- Atomic:  one script: the state check and the delete happen together.

local id = ARGV[1]
local state = redis.call('HGET', job_key(id), 'state')
if not state then return 0 end
local allowed = false
for i = 2, #ARGV do
  if ARGV[i] == state then allowed = true end
end
if not allowed then return 0 end
remove_job(id, state)
flush()
return 1
