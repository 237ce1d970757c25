-- transition.lua: Backend.transition, a batch of compare-and-set changes built by the core.
--
-- KEYS[1]  P .. 'id'
-- ARGV[1]  the changes as JSON: [[id, to, from, values, leaseToken, leaseExpiredBefore, remove], ...]:
--          from is the states joined by ','; values maps each field the change writes (runAt,
--          result, errors, attempt, maxAttempts, startedAt, finishedAt) to its text (numbers as
--          decimal text) or null; leaseToken and leaseExpiredBefore are null when not given; remove
--          is 1 when the change deletes the job instead (JobTransition.remove), else absent. The
--          caller has checked every value.
-- Returns  a string of one '1' (applied) or '0' (skipped) per change, in order.
-- Atomic:  one script, so each change is atomic (and the whole batch with it).
--
-- A change applies only if the job exists, its state is in `from`, it holds `leaseToken` when one
-- is given, and its leaseUntil < `leaseExpiredBefore` when that is given (a rescue must not undo a
-- heartbeat that renewed the lease after findExpired read it). It then leaves the indexes of its
-- old state, gets the new state and fields (a `to` other than running clears the lease fields and
-- cancelRequested),
-- and enters the indexes of its new state; or, with remove, it is deleted as deleteJob deletes it.
-- A change out of running also drops a cancel request, and a job with a concurrencyKey entering or
-- leaving running moves its key's running count (running-per-key). The script decides nothing else.

local changes = cjson.decode(ARGV[1])
local applied = {}
local handled = {}
for c = 1, #changes do
  local change = changes[c]
  local id, to, from, values, token, before = change[1], change[2], change[3], change[4], change[5], change[6]
  local key = job_key(id)
  local job = redis.call('HMGET', key, 'state', 'leaseToken', 'leaseUntil', 'pair', 'ext', 'concurrencyKey')
  local state = job[1]
  local ok = state and (state == from or string.find(',' .. from .. ',', ',' .. state .. ',', 1, true) ~= nil)
  if ok and token ~= NULL then ok = job[2] == token end
  if ok and before ~= NULL then ok = job[3] and tonumber(job[3]) < tonumber(before) end

  if ok then
    if handled[id] then flush() end
    handled[id] = true
    if change[7] == 1 then
      remove_job(id, state)
    else
      local m, pair = member(id), job[4]
      -- What the indexes need besides: read only when the change leaves or enters a waiting state,
      -- or finishes the job without a finishedAt of its own (the usual completion needs neither).
      local priority, run_at, finished_at = false, values.runAt, values.finishedAt
      local waiting = state == 'queued' or state == 'scheduled' or to == 'queued' or to == 'scheduled'
      if waiting or (finished_at == nil and is_finished(to)) then
        local more = redis.call('HMGET', key, 'priority', 'runAt', 'finishedAt')
        priority, run_at = more[1], run_at or more[2]
        if finished_at == nil then finished_at = more[3] end
      end
      if finished_at == NULL then finished_at = false end
      index_remove(m, state, pair, priority)
      local set, unset = { 'state', to }, {}
      local lease_until = job[3]
      if to ~= 'running' then
        lease_until = false
        unset[1], unset[2], unset[3], unset[4] = 'leaseToken', 'leaseUntil', 'workerId', 'cancelRequested'
      end
      if job[6] and (state == 'running') ~= (to == 'running') then
        count_running_key(job[6], to == 'running' and 1 or -1)
      end
      write_fields(key, job[5], values, set, unset)
      index_add(id, m, to, pair, priority, run_at, lease_until, finished_at)
    end
  end
  applied[c] = ok and '1' or '0'
end
flush()
return table.concat(applied)
