-- prune.lua: Backend.prune, retention.
--
-- KEYS[1]  P .. 'id'
-- ARGV     before, limit
-- Returns  how many jobs it deleted: up to `limit` succeeded, failed or cancelled jobs whose
--          finishedAt < before (the oldest first), with their long fields and index entries (their
--          entry in unique:<uniqueKey> included).
-- Atomic:  one script. Idempotent, so every worker may run it.

local deleted = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', FINISHED, '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])) do
  local id = id_of(m)
  local job = redis.call('HMGET', job_key(id), 'state', 'pair', 'priority', 'ext', 'uniqueKey')
  if job[1] and is_finished(job[1]) then
    index_remove(m, job[1], job[2], job[3])
    if job[5] then redis.call('ZREM', P .. 'unique:' .. job[5], m) end
    delete_job(id, job[4])
    deleted = deleted + 1
  else
    zrem(FINISHED, m)
  end
end
flush()
return deleted
