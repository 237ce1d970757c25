-- common.lua: the helpers every errand script shares, so they all name keys, encode ids and keep
-- the indexes the same way. On its own it defines locals and touches no key. errand runs the other
-- scripts in this folder with it in one of two ways (src/scripts.ts):
--   - Redis 7 and later: this file and every script, each script's body wrapped as a function
--     taking (KEYS, ARGV), load once as one library (FUNCTION LOAD), and each script runs by FCALL.
--     This file's top level then runs once per load, not once per call, so nothing here may depend
--     on a call: what does is set by begin(), which every script calls first.
--   - Redis 6.2, Redis Cluster, or where ACLs refuse functions: this file is prepended to each script,
--     which runs by EVALSHA, and begin(KEYS) comes between them.
--
-- KEYS[1] of every script is P .. 'id', where P is the prefix in a hash tag ('{errand}:'): Redis
-- (and Redis Cluster) routes the script by that key, and every other key the script derives from P
-- hashes to the same slot, so it is on the same node. The keys, all under P:
--
--   id                        string  the last job id handed out (INCRBY)
--   job:<id>                  hash    a job's fields (see below); a null field is left out
--   job:<id>:<field>          string  payload, result, errors or progress when longer than
--                                     INLINE_MAX bytes, kept out of the hash so the hash stays a
--                                     compact listpack; the hash's 'ext' field lists which (p r e g)
--   pair-seq                  string  the last pair id handed out
--   pairs                     hash    pair id -> JSON [queue, task]
--   queues-of:<task>          hash    queue -> pair id, for each queue that has had jobs of the task
--   ready:<pair>:<priority>   zset    claimable jobs (queued, or scheduled and promoted) of one
--                                     (queue, task) pair at one priority; score runAt
--   levels:<pair>             zset    the priorities whose ready zset is not empty; score = member
--   delayed                   zset    scheduled jobs not yet promoted to a ready zset; score runAt
--   leases                    zset    running jobs; score leaseUntil (also the index of state
--                                     'running' for list: it holds no more jobs than workers run)
--   finished                  zset    succeeded, failed and cancelled jobs that have a finishedAt;
--                                     score finishedAt
--   by-state:<state>          id set  every job in that state but running (for list)
--   by-pair:<pair>:<state>    id set  every job of one (queue, task) pair in one state, running
--                                     included (for list with a queue or task)
--   id-index                  string  'built' once every job is in its id sets; before that (a
--                                     store written by errand before them, with zsets state:<state>
--                                     and maybe list:<pair>:<state>), where build-id-index.lua's
--                                     walk has got to
--   counts                    hash    '<pair>:<state>' -> number of jobs (no zero entries), for stats
--   unique:<uniqueKey>        zset    the jobs inserted with insertUnique under that key (score id):
--                                     the candidates for holder; each job hash keeps its own
--                                     uniqueStates and uniqueUntil, checked by insert-unique.lua
--   running-per-key           hash    concurrencyKey -> running jobs with that key (no zero
--                                     entries): +1 when a keyed job enters running, -1 when it leaves
--   rate:<key>                zset    the starts a rate-limited claim recorded under that key; score
--                                     the claim's now, member '<id>:<attempt>'; trimmed to two
--                                     periods by every claim with that key
--   paused                    set     the paused queues
--   schedules                 hash    schedule name -> JSON {task, spec, payload, lastTickAt, paused,
--                                     declaredAt} (times as decimal text, lastTickAt false when null)
--   wake                      channel the JSON array of queues that just got claimable jobs
--
-- An id set holds job ids, split by id into buckets of ID_BUCKET: <base>:<n> is a set of the ids from
-- n * ID_BUCKET to (n + 1) * ID_BUCKET - 1, and <base> a zset of the buckets that hold any (member
-- and score n). Redis keeps such a small set of integers as one sorted array (an intset, up to
-- set-max-intset-entries, 512 by default), so adding or removing an id changes one short array
-- wherever the store's size, where a zset of a million jobs costs a dict and skiplist change in
-- memory the size of the store: claims from behind 1,000,000 waiting jobs slowed by about a tenth
-- when the state and pair indexes were such zsets (see docs/BENCHMARKS.md).
--
-- Zset members are ids led by one letter that gives their length ('a' for 1 digit, 'b' for 2, ...):
-- 9 -> 'a9', 10 -> 'b10'. Members that tie on score sort by member, so they sort by id as numbers.
--
-- Index changes are collected (zadd, zrem, id_add, id_rem, count) and written by flush(): one
-- variadic ZADD, ZREM, SADD or SREM per key instead of one call per job. Per key, removals are
-- written before additions, which is right for one job leaving and entering the same zset or id set
-- in one change; a script that handles the same job twice must flush() in between.
--
-- Writes never fail after a script's first write: callers check every value before sending it,
-- and a script reads what it needs before it writes. Under maxmemory, Redis refuses a function that
-- may write before it starts, and a script (EVALSHA) at its first write, letting the rest of a script
-- that has started writing finish; either way a script writes all of its changes or none. That needs
-- maxmemory-policy noeviction: an evicted key is a lost job.

-- The prefix and the keys named by it: set by begin() for each call.
local P, DELAYED, LEASES, FINISHED, COUNTS, PAIRS, RUNNING_PER_KEY, PAUSED, SCHEDULES
-- cjson is not there while a library loads, only while its functions run: also set by begin().
local NULL

-- A job's hash has the JobRecord fields (task, queue, state, priority, payload, result, progress,
-- errors, attempt, maxAttempts, runAt, createdAt, startedAt, finishedAt, leaseToken, leaseUntil,
-- workerId, uniqueKey, concurrencyKey; a null one left out; cancelRequested '1' while asked, else
-- left out) and errand's own: pair (its (queue, task) pair id), ext, and for a job inserted with
-- insertUnique, uniqueStates (the states joined by ',') and uniqueUntil (left out when null).
-- The JSON fields that move to their own key when long, and their flag in 'ext':
local BLOB_FLAG = { payload = 'p', result = 'r', errors = 'e', progress = 'g' }
local BLOB_NAME = { p = 'payload', r = 'result', e = 'errors', g = 'progress' }
-- hash-max-listpack-value's default: a longer value would turn the whole hash into a hashtable.
local INLINE_MAX = 64
-- Arguments per variadic call, well under Lua's unpack() limit.
local CHUNK = 4000

local function job_key(id) return P .. 'job:' .. id end
local function member(id) return string.char(96 + #id) .. id end
local function id_of(m) return string.sub(m, 2) end
local function ready_key(pair, priority) return P .. 'ready:' .. pair .. ':' .. priority end
local function levels_key(pair) return P .. 'levels:' .. pair end
-- Key names built once per prefix: begin() empties them when the prefix changes.
local STATE_KEYS, PAIR_KEYS = {}, {}
local function state_set(state)
  local key = STATE_KEYS[state]
  if not key then
    key = P .. 'by-state:' .. state
    STATE_KEYS[state] = key
  end
  return key
end
local function pair_set(pair, state)
  local by_state = PAIR_KEYS[pair]
  if not by_state then
    by_state = {}
    PAIR_KEYS[pair] = by_state
  end
  local key = by_state[state]
  if not key then
    key = P .. 'by-pair:' .. pair .. ':' .. state
    by_state[state] = key
  end
  return key
end
local ID_BUCKET = 128
local JOB_STATES = { 'scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled' }
local function is_finished(state)
  return state == 'succeeded' or state == 'failed' or state == 'cancelled'
end

-- The job as a table of its stored fields (long fields read from their keys, errand's own pair
-- and ext left out, id added), or nil when there is no such job. Its JSON is a JobRecord with the
-- numbers as text and a null field left out.
local function read_job(id)
  local key = job_key(id)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local job = {}
  for i = 1, #flat, 2 do job[flat[i]] = flat[i + 1] end
  local ext = job.ext
  if ext then
    for j = 1, #ext do
      local field = BLOB_NAME[string.sub(ext, j, j)]
      job[field] = redis.call('GET', key .. ':' .. field)
    end
    job.ext = nil
  end
  job.pair, job.uniqueStates, job.uniqueUntil = nil
  job.id = id
  return job
end

-- JSON for a reply: the caller parses one string instead of thousands of RESP items. An empty
-- table encodes as {}, which the caller reads as an empty list.
local function reply_json(value) return cjson.encode(value) end

-- Writes fields of the job at `key`: `values` maps field -> text, or NULL to remove the field.
-- `set` (field, value, ...) and `unset` (fields) may already hold writes of the caller's; all go
-- out in one HSET and one HDEL. `ext` is the job's 'ext' field as read (false when absent).
local function write_fields(key, ext, values, set, unset)
  local old_ext = ext or ''
  ext = old_ext
  for field, value in pairs(values) do
    local flag = BLOB_FLAG[field]
    local long = flag and value ~= NULL and #value > INLINE_MAX
    if flag and ext ~= '' and string.find(ext, flag, 1, true) then
      -- Kept in its own key until now.
      if long then
        redis.call('SET', key .. ':' .. field, value)
      else
        redis.call('DEL', key .. ':' .. field)
        ext = (string.gsub(ext, flag, ''))
        if value == NULL then
          unset[#unset + 1] = field
        else
          set[#set + 1] = field
          set[#set + 1] = value
        end
      end
    elseif long then
      redis.call('SET', key .. ':' .. field, value)
      ext = ext .. flag
      unset[#unset + 1] = field
    elseif value == NULL then
      unset[#unset + 1] = field
    else
      set[#set + 1] = field
      set[#set + 1] = value
    end
  end
  if ext ~= old_ext then
    if ext == '' then
      unset[#unset + 1] = 'ext'
    else
      set[#set + 1] = 'ext'
      set[#set + 1] = ext
    end
  end
  if #set > 0 then redis.call('HSET', key, unpack(set)) end
  if #unset > 0 then redis.call('HDEL', key, unpack(unset)) end
end

-- Deletes a job's hash and its long fields.
local function delete_job(id, ext)
  local key = job_key(id)
  local keys = { key }
  if ext then
    for i = 1, #ext do keys[#keys + 1] = key .. ':' .. BLOB_NAME[string.sub(ext, i, i)] end
  end
  redis.call('UNLINK', unpack(keys))
end

-- Pending index changes, written by flush(), and emptied by begin() in case a call failed before
-- its flush().
local pending_add, pending_rem, pending_count, touched_ready = {}, {}, {}, {}
-- Per bucket key of an id set: { id set, bucket number, id, id, ... }.
local pending_id_add, pending_id_rem = {}, {}

local function zadd(key, score, m)
  local list = pending_add[key]
  if not list then
    list = {}
    pending_add[key] = list
  end
  list[#list + 1] = score
  list[#list + 1] = m
end

local function zrem(key, m)
  local list = pending_rem[key]
  if not list then
    list = {}
    pending_rem[key] = list
  end
  list[#list + 1] = m
end

local function id_change(pending, ids, id)
  local n = string.format('%d', math.floor(tonumber(id) / ID_BUCKET))
  local key = ids .. ':' .. n
  local change = pending[key]
  if not change then
    change = { ids, n }
    pending[key] = change
  end
  change[#change + 1] = id
end
local function id_add(ids, id) id_change(pending_id_add, ids, id) end
local function id_rem(ids, id) id_change(pending_id_rem, ids, id) end

-- Counts per pair and state, as nested tables: no string to build per job.
local function count(pair, state, delta)
  local by_state = pending_count[pair]
  if not by_state then
    by_state = {}
    pending_count[pair] = by_state
  end
  by_state[state] = (by_state[state] or 0) + delta
end

-- A ready zset a job left: its priority leaves levels:<pair> if the zset ends up empty.
local function left_ready(pair, priority)
  touched_ready[ready_key(pair, priority)] = { levels_key(pair), priority }
end

-- Adds delta to the running jobs of a concurrency key, dropping the entry at zero.
local function count_running_key(ck, delta)
  if redis.call('HINCRBY', RUNNING_PER_KEY, ck, delta) <= 0 then redis.call('HDEL', RUNNING_PER_KEY, ck) end
end

local function call_chunked(command, key, args)
  for i = 1, #args, CHUNK do
    redis.call(command, key, unpack(args, i, math.min(i + CHUNK - 1, #args)))
  end
end

local function flush()
  for key, members in pairs(pending_rem) do call_chunked('ZREM', key, members) end
  for key, args in pairs(pending_add) do call_chunked('ZADD', key, args) end
  -- A bucket is in its id set's zset while it holds ids: Redis deletes an emptied set, and a set
  -- that holds only what this SADD added is new.
  for key, change in pairs(pending_id_rem) do
    redis.call('SREM', key, unpack(change, 3))
    if redis.call('EXISTS', key) == 0 then redis.call('ZREM', change[1], change[2]) end
  end
  for key, change in pairs(pending_id_add) do
    if redis.call('SADD', key, unpack(change, 3)) == redis.call('SCARD', key) then
      redis.call('ZADD', change[1], change[2], change[2])
    end
  end
  for key, level in pairs(touched_ready) do
    if redis.call('EXISTS', key) == 0 then redis.call('ZREM', level[1], level[2]) end
  end
  for pair, by_state in pairs(pending_count) do
    for state, delta in pairs(by_state) do
      local field = pair .. ':' .. state
      if delta ~= 0 and redis.call('HINCRBY', COUNTS, field, delta) <= 0 then
        redis.call('HDEL', COUNTS, field)
      end
    end
  end
  pending_add, pending_rem, pending_count, touched_ready = {}, {}, {}, {}
  pending_id_add, pending_id_rem = {}, {}
end

-- A job's entries in the id sets list() reads: its pair's set of `state`, and the set of `state`
-- unless it runs (`leases` lists the running jobs).
local function id_sets_add(id, state, pair)
  id_add(pair_set(pair, state), id)
  if state ~= 'running' then id_add(state_set(state), id) end
end
local function id_sets_remove(id, state, pair)
  id_rem(pair_set(pair, state), id)
  if state ~= 'running' then id_rem(state_set(state), id) end
end

-- Adds a job to the indexes of `state`. Times are the job's (text as stored, or false).
local function index_add(id, m, state, pair, priority, run_at, lease_until, finished_at)
  id_sets_add(id, state, pair)
  if state == 'queued' then
    zadd(ready_key(pair, priority), run_at, m)
    zadd(levels_key(pair), priority, priority)
  elseif state == 'scheduled' then
    zadd(DELAYED, run_at, m)
  elseif state == 'running' then
    zadd(LEASES, lease_until or '+inf', m)
    count(pair, state, 1)
    return
  elseif finished_at then
    zadd(FINISHED, finished_at, m)
  end
  count(pair, state, 1)
end

-- Removes a job from the indexes of `state`. A scheduled job may have been promoted to its ready
-- zset already, so it leaves both.
local function index_remove(m, state, pair, priority)
  id_sets_remove(id_of(m), state, pair)
  if state == 'queued' or state == 'scheduled' then
    if state == 'scheduled' then zrem(DELAYED, m) end
    zrem(ready_key(pair, priority), m)
    left_ready(pair, priority)
  elseif state == 'running' then
    zrem(LEASES, m)
    count(pair, state, -1)
    return
  else
    zrem(FINISHED, m)
  end
  count(pair, state, -1)
end

-- Deletes a job in `state` with all the store keeps for it: its index entries, its entry in
-- unique:<uniqueKey>, its share of its key's running count, its hash and long fields.
local function remove_job(id, state)
  local job = redis.call('HMGET', job_key(id), 'pair', 'priority', 'ext', 'uniqueKey', 'concurrencyKey')
  local m = member(id)
  index_remove(m, state, job[1], job[2])
  if job[4] then zrem(P .. 'unique:' .. job[4], m) end
  if state == 'running' and job[5] then count_running_key(job[5], -1) end
  delete_job(id, job[3])
end

-- Inserts new jobs (as insert.lua's ARGV[1] describes them: [task, queue, state, priority, payload,
-- maxAttempts, runAt, createdAt, concurrencyKey or null], checked by the caller), `extra` (field,
-- value, ...) added to each job's hash. Returns the first new id (the jobs get first .. first + n - 1)
-- and the queues to wake. Reads every pair id before its first write.
local function insert_jobs(jobs, extra)
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

  -- The earliest runAt waiting in `delayed` before this insert, read only for scheduled jobs.
  local earliest = math.huge
  for i = 1, n do
    if jobs[i][3] == 'scheduled' then
      local head = redis.call('ZRANGE', DELAYED, 0, 0, 'WITHSCORES')[2]
      if head then earliest = tonumber(head) end
      break
    end
  end

  local last = redis.call('INCRBY', P .. 'id', n)

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
    local concurrency_key = job[9]
    local id = string.format('%d', last - n + i)
    local key = job_key(id)
    local pair = pair_of[task][queue]
    local fields = {
      'task', task, 'queue', queue, 'state', state, 'priority', priority, 'maxAttempts', max_attempts,
      'runAt', run_at, 'createdAt', created_at, 'attempt', '0', 'errors', '[]', 'pair', pair,
    }
    if concurrency_key and concurrency_key ~= NULL then
      fields[#fields + 1] = 'concurrencyKey'
      fields[#fields + 1] = concurrency_key
    end
    if extra then
      for k = 1, #extra do fields[#fields + 1] = extra[k] end
    end
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
  return last - n + 1, wake
end

-- Publishes the queues that got claimable jobs (see insert.lua).
local function publish_wake(wake)
  if #wake > 0 then redis.call('PUBLISH', P .. 'wake', cjson.encode(wake)) end
end

-- Every script's first step. KEYS[1] is P .. 'id'.
local function begin(keys)
  local prefix = string.sub(keys[1], 1, -3)
  if prefix ~= P then
    P = prefix
    DELAYED = P .. 'delayed'
    LEASES = P .. 'leases'
    FINISHED = P .. 'finished'
    COUNTS = P .. 'counts'
    PAIRS = P .. 'pairs'
    RUNNING_PER_KEY = P .. 'running-per-key'
    PAUSED = P .. 'paused'
    SCHEDULES = P .. 'schedules'
    STATE_KEYS, PAIR_KEYS = {}, {}
  end
  NULL = cjson.null
  pending_add, pending_rem, pending_count, touched_ready = {}, {}, {}, {}
  pending_id_add, pending_id_rem = {}, {}
end
