-- insert.lua: Backend.insert, a batch of new jobs, all or none.
--
-- KEYS[1]  P .. 'id'
-- ARGV[1] the jobs as JSON: [[task, queue, state, priority, payload, maxAttempts, runAt,
--          createdAt], ...], every value a string (numbers as decimal text, stored as sent), state
--          'queued' or 'scheduled'. The caller has checked every value, so nothing here can fail
--          half way.
-- Returns  the first new id: the jobs get first .. first + n - 1, in input order (INCRBY on `id`).
-- Atomic:  one script; its reads (the pair lookups) come before its first write.
-- Wakes:   PUBLISHes on P .. 'wake' the JSON array of the queues that got queued jobs, so idle
--          workers claim at once; and of the queues of scheduled jobs that are now the earliest to
--          fall due: a worker's claim answers with that time, and it sets a timer for it. Other
--          scheduled jobs wake nobody: a claim promotes them when due.
--
-- Each new job: its hash (attempt 0, errors '[]'), a long payload in its own key, the index of its
-- state (a ready zset when queued, `delayed` when scheduled), its state zset and its pair's count.
-- A (queue, task) pair seen for the first time gets a pair id.

local jobs = cjson.decode(ARGV[1])
local n = #jobs

-- Pair ids, by task then queue; new pairs are numbered after the reads.
local pair_of, new_pairs = {}, {}
for i = 1, n do
  local task, queue = jobs[i][1], jobs[i][2]
  local queues = pair_of[task]
  if not queues then
    queues = {}
    pair_of[task] = queues
  end
  if queues[queue] == nil then
    queues[queue] = redis.call('HGET', P .. 'queues-of:' .. task, queue)
    if not queues[queue] then new_pairs[#new_pairs + 1] = { task, queue } end
  end
end

-- The earliest runAt waiting in `delayed` before this insert.
local head = redis.call('ZRANGE', DELAYED, 0, 0, 'WITHSCORES')[2]
local earliest = head and tonumber(head) or math.huge

local last = redis.call('INCRBY', KEYS[1], n)

for _, new in ipairs(new_pairs) do
  local task, queue = new[1], new[2]
  local pair = string.format('%d', redis.call('INCR', P .. 'pair-seq'))
  redis.call('HSET', P .. 'queues-of:' .. task, queue, pair)
  redis.call('HSET', PAIRS, pair, cjson.encode({ queue, task }))
  pair_of[task][queue] = pair
end

local woken, wake = {}, {}
for i = 1, n do
  local job = jobs[i]
  local task, queue, state, priority = job[1], job[2], job[3], job[4]
  local payload, max_attempts, run_at, created_at = job[5], job[6], job[7], job[8]
  local id = string.format('%d', last - n + i)
  local key = job_key(id)
  local pair = pair_of[task][queue]
  local fields = {
    'task', task, 'queue', queue, 'state', state, 'priority', priority, 'maxAttempts', max_attempts,
    'runAt', run_at, 'createdAt', created_at, 'attempt', '0', 'errors', '[]', 'pair', pair,
  }
  if #payload > INLINE_MAX then
    redis.call('SET', key .. ':payload', payload)
    fields[#fields + 1] = 'ext'
    fields[#fields + 1] = 'p'
  else
    fields[#fields + 1] = 'payload'
    fields[#fields + 1] = payload
  end
  redis.call('HSET', key, unpack(fields))
  index_add(id, member(id), state, pair, priority, run_at, false, false)
  if not woken[queue] and (state == 'queued' or tonumber(run_at) < earliest) then
    woken[queue] = true
    wake[#wake + 1] = queue
  end
end
flush()

if #wake > 0 then redis.call('PUBLISH', P .. 'wake', cjson.encode(wake)) end
return last - n + 1
