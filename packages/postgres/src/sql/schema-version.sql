-- The schema version of one errand schema, and the lock that serialises migrating it.
--
-- schema_version keeps one row per migration applied. Its shape never changes, so any release of
-- @errand/postgres can read it, and tell a schema made by a newer release from one it can migrate.

-- name: read-version
-- Inputs: none. Outputs: one row { version }: the highest version applied, 0 when none.
-- Atomicity: a read. Before the lock is taken (the fast path of a start on a migrated schema) the
--   table may not exist yet: the caller reads that error (undefined table or schema) as version 0.
--   This way a start on an up-to-date schema creates nothing and needs no CREATE rights.
SELECT coalesce(max(version), 0) AS version FROM errand.schema_version;

-- name: lock
-- Inputs: $1 the schema name. Outputs: none.
-- Atomicity: a transaction-scoped advisory lock on (errand's key, hash of the schema name): held
--   until the migration transaction commits or rolls back, so processes starting at once migrate
--   one after the other. The two-key form keeps clear of an app's own one-key advisory locks.
SELECT pg_advisory_xact_lock(1701998190, hashtext($1));

-- name: create-version-table
-- Inputs: none. Outputs: none. Atomicity: run under the lock, in the migration transaction.
CREATE SCHEMA IF NOT EXISTS errand;
CREATE TABLE IF NOT EXISTS errand.schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: write-version
-- Inputs: $1 the version a migration brought the schema to. Outputs: none.
-- Atomicity: in the migration transaction, with the migration's DDL: both commit or neither.
INSERT INTO errand.schema_version (version) VALUES ($1);
