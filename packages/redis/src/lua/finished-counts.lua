-- finished-counts.lua: Backend.finishedCounts, one stretch of the window. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     since, until, bucketMs, after (the last member the previous stretch read, '' to start
--          at since), afterScore (its finishedAt), budget (most jobs to read)
-- Returns  JSON [next, counts]: counts maps '<pair>:<state>:<bucket>' to a number of jobs, for the
--          succeeded, failed and cancelled jobs of `finished` with finishedAt in [since, until),
--          from the one after `after` on; bucket = since + floor((finishedAt - since) / bucketMs) *
--          bucketMs. next is false when the window is done, else the last member read, to pass as
--          `after`: one call reads at most `budget` jobs, so it never holds Redis for long however
--          many jobs finished in the window.
-- Atomic:  each call is one script; a window that takes several calls is read in stretches, by rank
--          in `finished` (many jobs finish at the same millisecond, so a score alone cannot say where
--          to go on). A job pruned or finished between two stretches may shift the ranks by a few.

local since, window_end, bucket_ms = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local after, budget = ARGV[4], tonumber(ARGV[6])
local start
if after == '' then
  start = redis.call('ZCOUNT', FINISHED, '-inf', '(' .. ARGV[1])
else
  local rank = redis.call('ZRANK', FINISHED, after)
  -- Gone since the last stretch (pruned, retried): go on after the jobs finished before it.
  start = rank and rank + 1 or redis.call('ZCOUNT', FINISHED, '-inf', ARGV[5])
end
local counts = {}
local entries = redis.call('ZRANGE', FINISHED, start, start + budget - 1, 'WITHSCORES')
for i = 1, #entries, 2 do
  local m, score = entries[i], tonumber(entries[i + 1])
  if score >= window_end then return reply_json({ false, counts }) end
  local job = redis.call('HMGET', job_key(id_of(m)), 'state', 'pair')
  if job[1] and is_finished(job[1]) then
    local bucket = since + math.floor((score - since) / bucket_ms) * bucket_ms
    local key = job[2] .. ':' .. job[1] .. ':' .. string.format('%d', bucket)
    counts[key] = (counts[key] or 0) + 1
  end
end
if #entries < 2 * budget then return reply_json({ false, counts }) end
return reply_json({ { entries[#entries - 1], entries[#entries] }, counts })
