-- cancel-requested.lua: Backend.cancelRequested. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     the ids (canonical decimal ids, checked by the caller)
-- Returns  JSON: of those ids, in the order given, the running jobs whose cancellation was asked.
-- Atomic:  one script, so each answer is of one consistent state.

local asked = {}
for _, id in ipairs(ARGV) do
  local job = redis.call('HMGET', job_key(id), 'state', 'cancelRequested')
  if job[1] == 'running' and job[2] == '1' then asked[#asked + 1] = id end
end
return reply_json(asked)
