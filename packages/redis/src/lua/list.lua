-- list.lua: Backend.list, one stretch of a page. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     state, task, queue ('' for any), before ('' for none: ids below it only), want, budget
-- Returns  JSON [cursor, [job, job, ...]]: up to `want` matching jobs, highest id first, each as
--          read_job returns it. cursor is false when the script found `want` jobs or ran out of
--          jobs; it is an id when the script stopped after examining `budget` jobs, and the
--          caller goes on with before = cursor. So one call never holds Redis for long, whatever
--          the filter matches.
-- Atomic:  each call is one script; a page that takes several calls is read in stretches.
--
-- Jobs come from the index of `state`, or of every state merged by id: the state zsets (score id),
-- and for running jobs `leases`, read whole and sorted by id (it holds at most as many jobs as the
-- workers run at once). Task and queue are checked on each job read.

local STATES = { 'scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled' }
local state, task, queue, before = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local want, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local batch = math.max(want, 100)

-- A source gives up to `batch` ids below `high`, highest first, as numbers.
local running_ids
local function below(s, high)
  if s == 'running' then
    if not running_ids then
      running_ids = {}
      for _, m in ipairs(redis.call('ZRANGE', LEASES, 0, -1)) do running_ids[#running_ids + 1] = tonumber(id_of(m)) end
      table.sort(running_ids, function(a, b) return a > b end)
    end
    local ids = {}
    for _, id in ipairs(running_ids) do
      if id < high then
        ids[#ids + 1] = id
        if #ids == batch then break end
      end
    end
    return ids
  end
  local bound = high == math.huge and '+inf' or '(' .. string.format('%d', high)
  local ids = {}
  for _, m in ipairs(redis.call('ZREVRANGEBYSCORE', state_key(s), bound, '-inf', 'LIMIT', 0, batch)) do
    ids[#ids + 1] = tonumber(id_of(m))
  end
  return ids
end

local sources = state ~= '' and { state } or STATES
local jobs = {}
local examined = 0
local high = before ~= '' and tonumber(before) or math.huge
while true do
  -- The next ids from every source, merged. A source that gave a full batch may hold more below
  -- its last id, so only ids down to the highest such last id are complete.
  local ids, floor = {}, nil
  for _, s in ipairs(sources) do
    local got = below(s, high)
    for _, id in ipairs(got) do ids[#ids + 1] = id end
    if #got == batch and (not floor or got[#got] > floor) then floor = got[#got] end
  end
  if #ids == 0 then return reply_json({ false, jobs }) end
  table.sort(ids, function(a, b) return a > b end)
  for _, number in ipairs(ids) do
    if floor and number < floor then break end
    local id = string.format('%d', number)
    local match = true
    if task ~= '' or queue ~= '' then
      local names = redis.call('HMGET', job_key(id), 'task', 'queue')
      match = (task == '' or names[1] == task) and (queue == '' or names[2] == queue)
    end
    if match then
      local job = read_job(id)
      if job then
        jobs[#jobs + 1] = job
        if #jobs == want then return reply_json({ false, jobs }) end
      end
    end
    examined = examined + 1
    if examined >= budget then return reply_json({ id, jobs }) end
  end
  if not floor then return reply_json({ false, jobs }) end
  high = floor
end
