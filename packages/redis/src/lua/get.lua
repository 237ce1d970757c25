-- get.lua: Backend.get. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id (a canonical decimal id, checked by the caller)
-- Returns  JSON: the job as read_job returns it, or nil (no such job).
-- Atomic:  one script, so a job whose long fields live in their own keys is read whole.

local job = read_job(ARGV[1])
if job then return reply_json(job) end
return nil
