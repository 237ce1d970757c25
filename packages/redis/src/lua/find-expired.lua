-- find-expired.lua: Backend.findExpired. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     now, limit
-- Returns  JSON: up to `limit` running jobs whose leaseUntil < now, oldest lease first (ties by
--          id), each as read_job returns it.
-- Atomic:  one script, so each job is read whole; the core rescues them with transition(), which
--          checks the lease again.

local reply = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])) do
  local job = read_job(id_of(m))
  if job then reply[#reply + 1] = job end
end
return reply_json(reply)
