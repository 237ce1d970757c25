-- The schema version of errand's tables in this database.
--
-- A table of its own rather than PRAGMA user_version: when errand's tables live in an app's own
-- database (the `database` option), user_version belongs to the app's migrations. The shape of this
-- table never changes, so any version of errand can read it.

-- name: create-version-table
-- Inputs: none. Outputs: none. Atomicity: IF NOT EXISTS; run inside init()'s IMMEDIATE transaction.
CREATE TABLE IF NOT EXISTS errand_schema_version (
  version INTEGER NOT NULL
);

-- name: read-version
-- Inputs: none. Outputs: one row { version }, NULL when errand's tables were never created here.
-- Atomicity: read inside init()'s IMMEDIATE transaction, so no other process migrates meanwhile.
SELECT max(version) AS version FROM errand_schema_version;

-- name: write-version
-- Inputs: :version. Outputs: none. Atomicity: inside init()'s IMMEDIATE transaction, with the DDL.
INSERT INTO errand_schema_version (version) VALUES (:version);
