-- insert.lua: Backend.insert, a batch of new jobs, all or none.
--
-- KEYS[1]  P .. 'id'
-- ARGV[1] the jobs as JSON: [[task, queue, state, priority, payload, maxAttempts, runAt,
--          createdAt, concurrencyKey or null], ...], every value a string (numbers as decimal text, stored as sent), state
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

local first, wake = insert_jobs(cjson.decode(ARGV[1]), nil)
publish_wake(wake)
return first
