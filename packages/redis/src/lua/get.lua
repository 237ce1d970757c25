-- get.lua: Backend.get. Reads only.
--
-- KEYS[1]  P .. 'id'
-- ARGV     id (a canonical decimal id, checked by the caller)
-- Returns  the job as read_job returns it, or nil.
-- Atomic:  one script, so a job whose long fields live in their own keys is read whole.

return read_job(ARGV[1])
