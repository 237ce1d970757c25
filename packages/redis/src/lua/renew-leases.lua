-- renew-leases.lua: Backend.renewLeases, the heartbeat.
--
-- KEYS[1]  P .. 'id'
-- ARGV     leaseUntil, then the leases as JSON: [[id, leaseToken], ...]
-- Returns  JSON: the ids whose lease was extended, those still running under the given token.
-- Atomic:  one script; each job's check and renewal happen together.

local lease_until = ARGV[1]
local renewed = {}
for _, lease in ipairs(cjson.decode(ARGV[2])) do
  local id, token = lease[1], lease[2]
  local key = job_key(id)
  local job = redis.call('HMGET', key, 'state', 'leaseToken')
  if job[1] == 'running' and job[2] == token then
    redis.call('HSET', key, 'leaseUntil', lease_until)
    zadd(LEASES, lease_until, member(id))
    renewed[#renewed + 1] = id
  end
end
flush()
return reply_json(renewed)
