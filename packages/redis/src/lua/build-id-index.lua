-- build-id-index.lua: one step of putting every job of a store written before the id sets existed
-- (with zsets state:<state>, and maybe list:<pair>:<state>) into its by-state and by-pair id sets.
-- The backend runs it at init until it answers 1.
--
-- KEYS[1]  P .. 'id'
-- ARGV     limit: the most jobs one step reads
-- Returns  1 when every job is in its id sets (id-index is 'built'), else 0: run it again.
-- Atomic:  each step is one script. The walk goes through the old state:<state> zsets by id,
--          `limit` jobs per step, deleting each once it is through, then through `leases` whole (no
--          more jobs than the workers run at once); last it deletes the old list:<pair>:<state>
--          zsets and list-index. It keeps its place in id-index, so several processes starting at
--          once share one walk and an interrupted one picks up where it stopped. A job changed
--          between steps is already in the right id sets: every script that moves a job keeps
--          them; a step reads the job's state from its hash, so what it adds is right too.

local ID_INDEX = P .. 'id-index'
-- The old state zsets held every state but running; running jobs are found through `leases`.
local WALK = {}
for _, state in ipairs(JOB_STATES) do
  if state ~= 'running' then WALK[#WALK + 1] = state end
end
local limit = tonumber(ARGV[1])

local at = redis.call('GET', ID_INDEX)
if at == 'built' then return 1 end
-- No id was ever handed out: nothing to walk.
if not at and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', ID_INDEX, 'built')
  return 1
end
local step, after = 1, '0'
if at then
  local colon = string.find(at, ':', 1, true)
  step, after = tonumber(string.sub(at, 1, colon - 1)), string.sub(at, colon + 1)
end

local function add(members)
  for _, m in ipairs(members) do
    local id = id_of(m)
    local job = redis.call('HMGET', job_key(id), 'state', 'pair')
    if job[1] then id_sets_add(id, job[1], job[2]) end
  end
  flush()
end

if step <= #WALK then
  local old = P .. 'state:' .. WALK[step]
  local members = redis.call('ZRANGEBYSCORE', old, '(' .. after, '+inf', 'LIMIT', 0, limit)
  add(members)
  if #members < limit then
    redis.call('UNLINK', old)
    redis.call('SET', ID_INDEX, (step + 1) .. ':0')
  else
    redis.call('SET', ID_INDEX, step .. ':' .. id_of(members[#members]))
  end
  return 0
end
add(redis.call('ZRANGE', LEASES, 0, -1))
local old = { P .. 'list-index' }
for _, pair in ipairs(redis.call('HKEYS', PAIRS)) do
  for _, state in ipairs(JOB_STATES) do old[#old + 1] = P .. 'list:' .. pair .. ':' .. state end
end
for i = 1, #old, CHUNK do redis.call('UNLINK', unpack(old, i, math.min(i + CHUNK - 1, #old))) end
redis.call('SET', ID_INDEX, 'built')
return 1
