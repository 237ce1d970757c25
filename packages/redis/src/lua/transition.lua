-- transition.lua: Backend.transition, a batch of compare-and-set changes built by the core.
--
-- KEYS[1]  P .. 'id'
-- ARGV     n, then per change: id, to, from (states joined by ','), mask, then one value for each
--          'v' in mask. mask has one letter per optional field, in the order of OPTIONAL below:
--          'k' keep the stored value (the field was undefined), 'n' write null, 'v' write the value
--          that follows. The caller has checked every value.
-- Returns  one 1 (applied) or 0 (skipped) per change, in order.
-- Atomic:  one script, so each change is atomic (and the whole batch with it).
--
-- A change applies only if the job exists, its state is in `from`, it holds `leaseToken` when one
-- is given, and its leaseUntil < `leaseExpiredBefore` when that is given (a rescue must not undo a
-- heartbeat that renewed the lease after findExpired read it). It then leaves the indexes of its
-- old state, gets the new state and fields (a `to` other than running clears the lease fields),
-- and enters the indexes of its new state. The script decides nothing else.

local OPTIONAL = {
  'leaseToken', 'leaseExpiredBefore', 'runAt', 'result', 'errors', 'attempt', 'maxAttempts',
  'startedAt', 'finishedAt',
}

local n = tonumber(ARGV[1])
local applied = {}
local handled = {}
local at = 2
for c = 1, n do
  local id, to, from, mask = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  at = at + 4
  local given = {}
  for f = 1, #OPTIONAL do
    local flag = string.sub(mask, f, f)
    if flag == 'v' then
      given[OPTIONAL[f]] = ARGV[at]
      at = at + 1
    elseif flag == 'n' then
      given[OPTIONAL[f]] = false
    end
  end

  local key = job_key(id)
  local job = redis.call('HMGET', key, 'state', 'leaseToken', 'leaseUntil', 'pair', 'priority', 'runAt',
    'finishedAt', 'ext')
  local state = job[1]
  local ok = state and string.find(',' .. from .. ',', ',' .. state .. ',', 1, true) ~= nil
  if ok and given.leaseToken ~= nil then ok = job[2] == given.leaseToken end
  if ok and given.leaseExpiredBefore ~= nil then
    ok = job[3] and tonumber(job[3]) < tonumber(given.leaseExpiredBefore)
  end

  if ok then
    if handled[id] then flush() end
    handled[id] = true
    local m = member(id)
    index_remove(m, state, job[4], job[5])
    local changes = { 'state', to }
    for f = 3, #OPTIONAL do
      local value = given[OPTIONAL[f]]
      if value ~= nil then
        changes[#changes + 1] = OPTIONAL[f]
        changes[#changes + 1] = value
      end
    end
    local lease_until = job[3]
    if to ~= 'running' then
      lease_until = false
      for _, field in ipairs({ 'leaseToken', 'leaseUntil', 'workerId' }) do
        changes[#changes + 1] = field
        changes[#changes + 1] = false
      end
    end
    write_fields(key, job[8], changes)
    local run_at, finished_at = job[6], job[7]
    if given.runAt ~= nil then run_at = given.runAt end
    if given.finishedAt ~= nil then finished_at = given.finishedAt end
    index_add(id, m, to, job[4], job[5], run_at, lease_until, finished_at)
  end
  applied[c] = ok and 1 or 0
end
flush()
return applied
