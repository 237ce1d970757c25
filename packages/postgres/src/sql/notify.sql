-- name: notify
-- Wakes the workers listening on channel $1: each payload of $2 (text[]) is a comma-separated list
-- of queues that received due jobs.
-- Inputs: $1 channel, $2 payloads. Outputs: none.
-- Atomicity: outside a transaction, so delivered at once; the jobs it announces are already committed.
SELECT count(pg_notify($1, payload)) FROM unnest($2::text[]) AS payload;
