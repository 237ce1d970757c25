-- insert-unique.lua: Backend.insertUnique, one job unless another job holds its unique key.
--
-- KEYS[1]  P .. 'id'
-- ARGV     now, uniqueKey, uniqueStates (joined by ','), uniqueUntil ('' for null), then the job as
--          JSON: [[task, queue, state, priority, payload, maxAttempts, runAt, createdAt,
--          concurrencyKey or null]] (insert.lua's form, checked by the caller)
-- Returns  JSON [id, created]: the oldest holder's id and false, or the new job's id and true.
-- Atomic:  one script, so concurrent calls with one key create one job; its reads (the holders,
--          the pair lookup) come before its first write.
--
-- The candidates are unique:<uniqueKey>, the jobs inserted under the key, oldest first. A job holds
-- the key while its state is in the uniqueStates it was inserted with and its uniqueUntil is unset
-- or > now. Candidates that can never hold it again are dropped from the zset: a deleted job, and
-- one whose uniqueUntil has passed (now only moves on). Any other candidate stays, since an
-- operator's retry may bring it back into its uniqueStates.
-- Wakes:   as insert.lua.

local now, unique_key, unique_states, unique_until = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local set_key = P .. 'unique:' .. unique_key

local holder, gone = false, {}
for _, m in ipairs(redis.call('ZRANGE', set_key, 0, -1)) do
  local id = id_of(m)
  local job = redis.call('HMGET', job_key(id), 'state', 'uniqueStates', 'uniqueUntil')
  local state, states, until_at = job[1], job[2], job[3]
  if not state or (until_at and tonumber(until_at) <= now) then
    gone[#gone + 1] = m
  elseif string.find(',' .. (states or '') .. ',', ',' .. state .. ',', 1, true) then
    holder = id
    break
  end
end

if holder then
  if #gone > 0 then redis.call('ZREM', set_key, unpack(gone)) end
  return reply_json({ holder, false })
end

local extra = { 'uniqueKey', unique_key, 'uniqueStates', unique_states }
if unique_until ~= '' then
  extra[#extra + 1] = 'uniqueUntil'
  extra[#extra + 1] = unique_until
end
local first, wake = insert_jobs(cjson.decode(ARGV[5]), extra)
local id = string.format('%d', first)
if #gone > 0 then redis.call('ZREM', set_key, unpack(gone)) end
redis.call('ZADD', set_key, first, member(id))
publish_wake(wake)
return reply_json({ id, true })
