import type { PoolClient } from 'pg';
import type { Connections } from './connections.ts';
import { migrationFiles, migrationSql, sqlStatement } from './sql.ts';

const MIGRATIONS = migrationFiles();

/** The schema version this code creates and understands: the number of migrations it ships. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** What migrate() found and did. */
export interface MigrationResult {
  /** The schema's version before (0: it had no errand tables). */
  from: number;
  /** Its version now: SCHEMA_VERSION. */
  to: number;
}

/** The schema is newer than this code, or (with migrate: false) older: its message says what to do. */
export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/** PostgreSQL's codes for "no such table" and "no such schema". */
const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA_NAME = '3F000';

function tooNew(schema: string, version: number): Error {
  return new SchemaVersionError(
    `@errand/postgres: the schema "${schema}" is at version ${version}, but this @errand/postgres only ` +
      `knows versions up to ${SCHEMA_VERSION}. It was migrated by a newer release: upgrade @errand/postgres ` +
      `in this app, or use another schema.`,
  );
}

/** The schema's version, read without taking any lock or creating anything (0 when it has none). */
async function readVersion(client: PoolClient, schema: string): Promise<number> {
  try {
    const { rows } = await client.query<{ version: number }>(
      sqlStatement('schema-version.sql', 'read-version', schema),
    );
    return Number(rows[0]?.version ?? 0);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA_NAME) return 0;
    throw error;
  }
}

/**
 * Brings `schema` up to SCHEMA_VERSION, or checks it is there (`apply: false`).
 *
 * A schema already current costs one read and takes no lock. Otherwise, in one transaction: take
 * the schema's advisory lock (a process starting at the same moment waits here), create the schema
 * and its version table if missing, read the version again (another process may have just migrated
 * it), and apply each missing migration with its version row. A failure rolls all of it back.
 */
export async function migrateSchema(
  connections: Connections,
  schema: string,
  apply: boolean,
): Promise<MigrationResult> {
  const client = await connections.checkout();
  let broken: Error | undefined;
  try {
    const seen = await readVersion(client, schema);
    if (seen > SCHEMA_VERSION) throw tooNew(schema, seen);
    if (seen === SCHEMA_VERSION) return { from: seen, to: seen };
    if (!apply) {
      throw new SchemaVersionError(
        `@errand/postgres: the schema "${schema}" is at version ${seen}, and this @errand/postgres needs ` +
          `version ${SCHEMA_VERSION}. Run \`errand migrate\` (or migrate() from @errand/postgres) with a role ` +
          `that may create tables, or leave out migrate: false to migrate at start.`,
      );
    }
    await client.query('BEGIN');
    try {
      await client.query(sqlStatement('schema-version.sql', 'lock', schema), [schema]);
      await client.query(sqlStatement('schema-version.sql', 'create-version-table', schema));
      const from = await readVersion(client, schema);
      if (from > SCHEMA_VERSION) throw tooNew(schema, from);
      const writeVersion = sqlStatement('schema-version.sql', 'write-version', schema);
      for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
        await client.query(migrationSql(MIGRATIONS[version - 1]!, schema));
        await client.query(writeVersion, [version]);
      }
      await client.query('COMMIT');
      return { from, to: SCHEMA_VERSION };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
