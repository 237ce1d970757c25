-- stats.lua: Backend.stats. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     none
-- Returns  { counts, pairs }: HGETALL of `counts` ('<pair>:<state>' -> count) and of `pairs`
--          (pair id -> JSON [queue, task]). O(number of (queue, task, state) groups).
-- Atomic:  one script, so every pair in counts is in pairs.

return { redis.call('HGETALL', COUNTS), redis.call('HGETALL', PAIRS) }
