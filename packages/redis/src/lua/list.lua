-- list.lua: Backend.list, one stretch of a page. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     state, task, queue ('' for any), before ('' for none: ids below it only), want, budget
-- Returns  JSON [cursor, [job, job, ...], read]: up to `want` matching jobs, highest id first, each
--          as read_job returns it. cursor is false when the script found `want` jobs or ran out of
--          jobs; it is an id when the script stopped after examining `budget` jobs, and the
--          caller goes on with before = cursor. So one call never holds Redis for long, whatever
--          the filter matches. `read` is how many index entries the script read (for the tests).
-- Atomic:  each call is one script; a page that takes several calls is read in stretches.
--
-- With a queue or a task, jobs come from the by-pair:<pair>:<state> id sets of the pairs of that
-- queue and/or task (queues-of:<task>, or `pairs` for a queue alone) and of `state`, or of every
-- state: every entry read matches, and a page reads at most want + (id sets × FIRST) entries, plus
-- one more batch per id set that runs dry, plus the rest of each bucket it reads (an id set is
-- read a bucket at a time), whatever the jobs between the matches. Without them, jobs come from
-- the index of `state`, or of every state merged by id: the by-state:<state> id sets, and for
-- running jobs `leases`, read whole and sorted by id (it holds at most as many jobs as the workers
-- run at once).

local state, task, queue, before = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local want, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local high = before ~= '' and tonumber(before) or math.huge
local read = 0

-- Up to `count` ids of id set `ids` below `limit_high`, highest first, as numbers: its buckets from
-- the one that would hold limit_high - 1 down, each read whole.
local function ids_below(ids, limit_high, count)
  local found = {}
  local top = limit_high == math.huge and '+inf'
    or string.format('%d', math.floor((limit_high - 1) / ID_BUCKET))
  while true do
    local buckets = redis.call('ZREVRANGEBYSCORE', ids, top, '-inf', 'LIMIT', 0, 8)
    if #buckets == 0 then return found end
    for _, n in ipairs(buckets) do
      local members = redis.call('SMEMBERS', ids .. ':' .. n)
      read = read + #members
      local numbers = {}
      for _, id in ipairs(members) do
        local number = tonumber(id)
        if number < limit_high then numbers[#numbers + 1] = number end
      end
      table.sort(numbers, function(a, b) return a > b end)
      for _, number in ipairs(numbers) do
        found[#found + 1] = number
        if #found == count then return found end
      end
      top = '(' .. n
    end
  end
end

if task ~= '' or queue ~= '' then
  -- The pairs of the task and/or queue.
  local pairs_of = {}
  if task ~= '' then
    local flat = redis.call('HGETALL', P .. 'queues-of:' .. task)
    for i = 1, #flat, 2 do
      if queue == '' or flat[i] == queue then pairs_of[#pairs_of + 1] = flat[i + 1] end
    end
  else
    local flat = redis.call('HGETALL', PAIRS)
    for i = 1, #flat, 2 do
      if cjson.decode(flat[i + 1])[1] == queue then pairs_of[#pairs_of + 1] = flat[i] end
    end
  end
  -- A k-way merge by id over their id sets: each is read FIRST ids at a time, then `want` at a time.
  local FIRST = math.min(want, 10)
  local streams = {}
  for _, pair in ipairs(pairs_of) do
    for _, s in ipairs(state ~= '' and { state } or JOB_STATES) do
      local key = pair_set(pair, s)
      local ids = ids_below(key, high, FIRST)
      if #ids > 0 then streams[#streams + 1] = { key = key, ids = ids, next = 1, full = #ids == FIRST } end
    end
  end
  local jobs = {}
  while #jobs < want do
    local best
    for _, stream in ipairs(streams) do
      local id = stream.ids[stream.next]
      if id and (not best or id > best.ids[best.next]) then best = stream end
    end
    if not best then break end
    local number = best.ids[best.next]
    best.next = best.next + 1
    if best.next > #best.ids and best.full then
      best.ids = ids_below(best.key, number, want)
      best.next = 1
      best.full = #best.ids == want
    end
    local job = read_job(string.format('%d', number))
    if job then jobs[#jobs + 1] = job end
  end
  return reply_json({ false, jobs, read })
end

local batch = math.max(want, 100)

-- A source gives up to `batch` ids below `high`, highest first, as numbers.
local running_ids
local function below(s, limit_high)
  if s == 'running' then
    if not running_ids then
      running_ids = {}
      for _, m in ipairs(redis.call('ZRANGE', LEASES, 0, -1)) do running_ids[#running_ids + 1] = tonumber(id_of(m)) end
      read = read + #running_ids
      table.sort(running_ids, function(a, b) return a > b end)
    end
    local ids = {}
    for _, id in ipairs(running_ids) do
      if id < limit_high then
        ids[#ids + 1] = id
        if #ids == batch then break end
      end
    end
    return ids
  end
  return ids_below(state_set(s), limit_high, batch)
end

local sources = state ~= '' and { state } or JOB_STATES
local jobs = {}
local examined = 0
while true do
  -- The next ids from every source, merged. A source that gave a full batch may hold more below
  -- its last id, so only ids down to the highest such last id are complete.
  local ids, floor = {}, nil
  for _, s in ipairs(sources) do
    local got = below(s, high)
    for _, id in ipairs(got) do ids[#ids + 1] = id end
    if #got == batch and (not floor or got[#got] > floor) then floor = got[#got] end
  end
  if #ids == 0 then return reply_json({ false, jobs, read }) end
  table.sort(ids, function(a, b) return a > b end)
  for _, number in ipairs(ids) do
    if floor and number < floor then break end
    local id = string.format('%d', number)
    local job = read_job(id)
    if job then
      jobs[#jobs + 1] = job
      if #jobs == want then return reply_json({ false, jobs, read }) end
    end
    examined = examined + 1
    if examined >= budget then return reply_json({ id, jobs, read }) end
  end
  if not floor then return reply_json({ false, jobs, read }) end
  high = floor
end
