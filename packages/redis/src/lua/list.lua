-- list.lua: Backend.list, one stretch of a page. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     state, task, queue ('' for any), before ('' for none: ids below it only), want, budget
-- Returns  { cursor, job, job, ... }: up to `want` matching jobs, highest id first, each as
--          read_job returns it. cursor is false when the script found `want` jobs or ran out of
--          jobs; it is an id when the script stopped after examining `budget` jobs, and the
--          caller goes on with before = cursor. So one call never holds Redis for long, whatever
--          the filter matches.
-- Atomic:  each call is one script; a page that takes several calls is read in stretches.
--
-- Jobs come from the state zsets (score id): the one of `state`, or all six merged by id. Task
-- and queue are checked on each job read.

local STATES = { 'scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled' }
local state, task, queue, before = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local want, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local batch = math.max(want, 100)

local sources = {}
if state ~= '' then
  sources[1] = state_key(state)
else
  for _, s in ipairs(STATES) do sources[#sources + 1] = state_key(s) end
end

local reply = { false }
local examined = 0
local high = before ~= '' and ('(' .. before) or '+inf'
while true do
  -- The next ids below `high` from every source, merged. A source that returned a full batch may
  -- hold more below its last id, so only ids down to the highest such last id are complete.
  local ids, floor = {}, nil
  for _, source in ipairs(sources) do
    local got = redis.call('ZREVRANGEBYSCORE', source, high, '-inf', 'LIMIT', 0, batch)
    for _, m in ipairs(got) do ids[#ids + 1] = tonumber(id_of(m)) end
    if #got == batch then
      local last = tonumber(id_of(got[#got]))
      if not floor or last > floor then floor = last end
    end
  end
  if #ids == 0 then return reply end
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
        reply[#reply + 1] = job
        if #reply - 1 == want then return reply end
      end
    end
    examined = examined + 1
    if examined >= budget then
      reply[1] = id
      return reply
    end
  end
  if not floor then return reply end
  high = '(' .. string.format('%d', floor)
end
