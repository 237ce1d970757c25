-- claim.lua: Backend.claim, a batch of due jobs under one fresh lease.
--
-- KEYS[1]  P .. 'id'
-- ARGV     now, limit, leaseToken, leaseUntil, workerId, number of tasks, the tasks..., number of
--          queues (-1 for every queue), the queues..., number of excluded queues, the excluded
--          queues..., rate key ('' for no rate limit), rate max, rate periodMs, concurrency max (-1
--          for no concurrency limit)
-- Returns  JSON [nextRunAt, nextQueue, [job, job, ...]]: the claimed jobs in claim order, each as
--          read_job returned it before the claim, with the new attempt, but without the other fields
--          the claim wrote, which the caller knows (state 'running', startedAt = now, the lease);
--          nextRunAt and nextQueue are the runAt and queue of the earliest scheduled job still
--          waiting for its time (false when there is none), so the caller can wake up for it.
-- Atomic:  one script, so two claims never take the same job, and the starts and running jobs a
--          limited claim counts cannot change before it has taken its jobs.
--
-- 1. Promote: scheduled jobs whose runAt <= now move from `delayed` to their ready zset (at most
--    PROMOTE_MAX per claim; their state stays 'scheduled'). Claim order among due scheduled jobs is
--    exact unless more than PROMOTE_MAX of them fall due between two claims.
-- 2. Find the ready zsets to take from: one per (queue, task) pair of the given tasks and queues,
--    but not of a paused or excluded queue, and per priority in levels:<pair>. Other tasks' jobs
--    are never read.
-- 3. A rate limit lowers `limit` to max minus the starts in rate:<key> after now - periodMs, those
--    recorded at a time after `now` included: a claim whose `now` was read before another claim's
--    may run after it, and must still count its starts. So starts are kept two periods (older ones
--    are deleted first).
-- 4. Take up to `limit` jobs in order of priority, then runAt (the score), then id (the member):
--    priority by priority, merging that priority's zsets by (score, id); a zset's taken prefix goes
--    with one ZREMRANGEBYRANK. Each claim costs O(zsets + limit * log n), whatever the queue length.
--    With a concurrency limit, a candidate whose concurrencyKey already has max jobs running
--    (running-per-key plus those taken here) is skipped and stays where it is; the taken ones leave
--    their zsets one by one. The scan is bounded: a claim skips at most SKIP_MAX candidates, then
--    stops with what it has. So jobs behind more than SKIP_MAX waiting jobs of saturated keys (in
--    claim order) wait until those keys drain below SKIP_MAX; each claim then costs
--    O(zsets + (limit + SKIP_MAX) * log n).
-- 5. Each job becomes running: attempt + 1, startedAt now, the lease; it enters `leases` and moves
--    from by-pair:<pair>:<state> to by-pair:<pair>:running; a job with
--    a concurrencyKey counts in running-per-key; under a rate limit, each start enters rate:<key>.

local PROMOTE_MAX = 1000
local SKIP_MAX = 1000

local now, limit = ARGV[1], tonumber(ARGV[2])
local lease_token, lease_until, worker_id = ARGV[3], ARGV[4], ARGV[5]
local task_count = tonumber(ARGV[6])
local queue_count = tonumber(ARGV[7 + task_count])
local at = 8 + task_count + math.max(queue_count, 0)
local exclude_count = tonumber(ARGV[at])
at = at + exclude_count + 1
local rate_key, rate_max, rate_period = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
local concurrency_max = tonumber(ARGV[at + 3])
local limited = concurrency_max >= 0

-- Paused and excluded queues are never taken from.
local skip_queue = {}
for _, queue in ipairs(redis.call('SMEMBERS', PAUSED)) do skip_queue[queue] = true end
for e = 1, exclude_count do skip_queue[ARGV[8 + task_count + math.max(queue_count, 0) + e]] = true end

-- 1. Promote due scheduled jobs. When none is due, the head of `delayed` read here is also its head
-- at the end (a claim takes nothing else from it), which the reply names.
local head = redis.call('ZRANGE', DELAYED, 0, 0, 'WITHSCORES')
if head[1] and tonumber(head[2]) <= tonumber(now) then
  local due = redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, PROMOTE_MAX)
  for _, m in ipairs(due) do
    local job = redis.call('HMGET', job_key(id_of(m)), 'state', 'pair', 'priority', 'runAt')
    if job[1] == 'scheduled' then
      zadd(ready_key(job[2], job[3]), job[4], m)
      zadd(levels_key(job[2]), job[3], job[3])
    end
    zrem(DELAYED, m)
  end
  flush()
  head = nil
end

-- 2. The (queue, task) pairs to take from, each once, and their priorities.
local pair_ids, seen = {}, {}
local function add_pair(pair)
  if pair and not seen[pair] then
    seen[pair] = true
    pair_ids[#pair_ids + 1] = pair
  end
end
for t = 1, task_count do
  local hash = P .. 'queues-of:' .. ARGV[6 + t]
  if queue_count < 0 then
    local all = redis.call('HGETALL', hash)
    for k = 1, #all, 2 do
      if not skip_queue[all[k]] then add_pair(all[k + 1]) end
    end
  else
    local wanted = {}
    for q = 1, queue_count do
      local queue = ARGV[7 + task_count + q]
      if not skip_queue[queue] then wanted[#wanted + 1] = queue end
    end
    if #wanted > 0 then
      for _, pair in ipairs(redis.call('HMGET', hash, unpack(wanted))) do add_pair(pair) end
    end
  end
end

local streams = {}
for _, pair in ipairs(pair_ids) do
  local levels = redis.call('ZRANGE', levels_key(pair), 0, -1, 'WITHSCORES')
  for i = 1, #levels, 2 do
    streams[#streams + 1] = { pair = pair, priority = levels[i], level = tonumber(levels[i + 1]) }
  end
end
table.sort(streams, function(a, b) return a.level < b.level end)

-- 3. A rate limit: at most max minus the starts after now - periodMs (later than now included).
local rate_set = false
if rate_key ~= '' then
  rate_set = P .. 'rate:' .. rate_key
  local since = tonumber(now) - rate_period
  redis.call('ZREMRANGEBYSCORE', rate_set, '-inf', string.format('%.17g', since - rate_period))
  local started = redis.call('ZCOUNT', rate_set, '(' .. string.format('%.17g', since), '+inf')
  limit = math.min(limit, math.floor(rate_max) - started)
end

-- With a concurrency limit: whether the job behind zset member `m` may start, counting it if so.
local running_of, skipped = {}, 0
local function admit(m)
  local ck = redis.call('HGET', job_key(id_of(m)), 'concurrencyKey')
  if not ck then return true end
  local n = running_of[ck]
  if n == nil then n = tonumber(redis.call('HGET', RUNNING_PER_KEY, ck) or '0') end
  if n >= concurrency_max then
    running_of[ck] = n
    skipped = skipped + 1
    return false
  end
  running_of[ck] = n + 1
  return true
end

-- The stream of `group` whose next candidate comes first by (score, id), or nil when all are spent.
local function earliest(group)
  local best, best_score, best_id
  for _, stream in ipairs(group) do
    local m = stream.items[stream.next]
    if m then
      local score, id = tonumber(stream.items[stream.next + 1]), tonumber(id_of(m))
      if not best or score < best_score or (score == best_score and id < best_id) then
        best, best_score, best_id = stream, score, id
      end
    end
  end
  return best
end

-- 4. Take, priority by priority.
local taken = {}
local i = 1
while i <= #streams and #taken < limit and skipped < SKIP_MAX do
  local level = streams[i].level
  local group = {}
  while i <= #streams and streams[i].level == level do
    local stream = streams[i]
    stream.key = ready_key(stream.pair, stream.priority)
    -- Enough for every candidate this claim may still look at.
    local want = limit - #taken
    if limited then want = want + SKIP_MAX - skipped end
    stream.items = redis.call('ZRANGE', stream.key, 0, want - 1, 'WITHSCORES')
    stream.asked = want
    stream.next = 1
    group[#group + 1] = stream
    i = i + 1
  end
  if limited then
    -- Candidate by candidate; the taken ones leave their zsets one by one, the skipped ones stay.
    while #taken < limit and skipped < SKIP_MAX do
      local best = earliest(group)
      if not best then break end
      local m = best.items[best.next]
      best.next = best.next + 2
      if admit(m) then
        taken[#taken + 1] = { m, best.pair }
        zrem(best.key, m)
      end
    end
    for _, stream in ipairs(group) do left_ready(stream.pair, stream.priority) end
  else
    if #group == 1 then
      -- One zset at this priority (the usual case): its head is already in order.
      local stream = group[1]
      local items = stream.items
      for k = 1, #items, 2 do taken[#taken + 1] = { items[k], stream.pair } end
      stream.next = #items + 1
    end
    while #group > 1 and #taken < limit do
      local best = earliest(group)
      if not best then break end
      taken[#taken + 1] = { best.items[best.next], best.pair }
      best.next = best.next + 2
    end
    for _, stream in ipairs(group) do
      if stream.next > 1 then
        redis.call('ZREMRANGEBYRANK', stream.key, 0, (stream.next - 1) / 2 - 1)
      end
      -- Only a zset this claim took all of may now be empty; if it held fewer than asked, it is.
      if stream.next > #stream.items then
        if #stream.items < 2 * stream.asked then
          zrem(levels_key(stream.pair), stream.priority)
        else
          left_ready(stream.pair, stream.priority)
        end
      end
    end
  end
end

-- 5. Mark them running under the lease.
local jobs = {}
for _, entry in ipairs(taken) do
  local m, pair = entry[1], entry[2]
  local id = id_of(m)
  local key = job_key(id)
  local job = read_job(id)
  local state = job and job.state
  -- Always true while the indexes are right; a stale entry is dropped, not claimed.
  if state == 'queued' or state == 'scheduled' then
    local attempt = tostring(tonumber(job.attempt) + 1)
    redis.call('HSET', key, 'state', 'running', 'attempt', attempt, 'startedAt', now,
      'leaseToken', lease_token, 'leaseUntil', lease_until, 'workerId', worker_id)
    id_sets_remove(id, state, pair)
    zadd(LEASES, lease_until, m)
    id_sets_add(id, 'running', pair)
    count(pair, state, -1)
    count(pair, 'running', 1)
    if job.concurrencyKey then count_running_key(job.concurrencyKey, 1) end
    if rate_set then redis.call('ZADD', rate_set, now, id .. ':' .. attempt) end
    -- The reply leaves out what the caller knows: state running, startedAt and the lease.
    job.attempt = attempt
    job.state, job.startedAt, job.leaseToken, job.leaseUntil, job.workerId = nil
    jobs[#jobs + 1] = job
  end
end
flush()

local next_run_at, next_queue = false, false
head = head or redis.call('ZRANGE', DELAYED, 0, 0, 'WITHSCORES')
if head[1] then
  next_run_at = head[2]
  next_queue = redis.call('HGET', job_key(id_of(head[1])), 'queue')
end
return reply_json({ next_run_at, next_queue, jobs })
