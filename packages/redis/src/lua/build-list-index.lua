-- build-list-index.lua: one step of putting every job of a store written before the
-- list:<pair>:<state> zsets existed into its zset. The backend runs it at init until it answers 1.
--
-- KEYS[1]  P .. 'id'
-- ARGV     limit: the most jobs one step reads
-- Returns  1 when every job is in its list:<pair>:<state> zset (list-index is 'built'), else 0:
--          run it again.
-- Atomic:  each step is one script. The walk goes through the state zsets by id, `limit` jobs per
--          step, then through `leases` whole (no more jobs than the workers run at once), and keeps
--          its place in list-index, so several processes starting at once share one walk and an
--          interrupted one picks up where it stopped. A job changed between steps is already in
--          the right zset: every script that moves a job keeps list:<pair>:<state>; a step reads
--          the job's state from its hash, so an entry it adds is right too.

local LIST_INDEX = P .. 'list-index'
local WALK = { 'scheduled', 'queued', 'succeeded', 'failed', 'cancelled' }
local limit = tonumber(ARGV[1])

local at = redis.call('GET', LIST_INDEX)
if at == 'built' then return 1 end
-- No id was ever handed out: nothing to walk.
if not at and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', LIST_INDEX, 'built')
  return 1
end
local step, after = 1, '0'
if at then
  local colon = string.find(at, ':', 1, true)
  step, after = tonumber(string.sub(at, 1, colon - 1)), string.sub(at, colon + 1)
end

local function add(members)
  for _, m in ipairs(members) do
    local job = redis.call('HMGET', job_key(id_of(m)), 'state', 'pair')
    if job[1] then zadd(list_key(job[2], job[1]), id_of(m), m) end
  end
  flush()
end

if step <= #WALK then
  local members = redis.call('ZRANGEBYSCORE', state_key(WALK[step]), '(' .. after, '+inf', 'LIMIT', 0, limit)
  add(members)
  if #members < limit then
    redis.call('SET', LIST_INDEX, (step + 1) .. ':0')
  else
    redis.call('SET', LIST_INDEX, step .. ':' .. id_of(members[#members]))
  end
  return 0
end
add(redis.call('ZRANGE', LEASES, 0, -1))
redis.call('SET', LIST_INDEX, 'built')
return 1
