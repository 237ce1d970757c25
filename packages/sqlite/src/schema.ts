import type { Database } from 'better-sqlite3';
import { sqlFile, sqlStatement } from './sql.ts';

/**
 * The migrations, in order: the file at index i takes the tables from version i to version i + 1.
 * A new schema version appends a file here and never edits an old one.
 */
const MIGRATIONS = [
  'schema.sql',
  'schema-2-flow-control.sql',
  'schema-3-dashboard.sql',
  'schema-4-list-pairs.sql',
] as const;

/** The schema version this code creates and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates or migrates errand's tables, in one IMMEDIATE transaction so two processes starting at
 * once do it one after the other. Throws when the tables were made by a newer @errand/sqlite.
 */
export function migrate(db: Database, tablePrefix: string, where: string): void {
  db.transaction(() => {
    db.exec(sqlStatement('schema-version.sql', 'create-version-table', tablePrefix));
    const row = db
      .prepare<[], { version: number | null }>(
        sqlStatement('schema-version.sql', 'read-version', tablePrefix),
      )
      .safeIntegers(false)
      .get();
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `@errand/sqlite: the errand tables (prefix "${tablePrefix}") in ${where} are at schema version ` +
          `${current}, but this @errand/sqlite only knows versions up to ${SCHEMA_VERSION}. They were ` +
          `created by a newer release: upgrade @errand/sqlite in this app, or use another database file ` +
          `or tablePrefix.`,
      );
    }
    const writeVersion = db.prepare(sqlStatement('schema-version.sql', 'write-version', tablePrefix));
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(sqlFile(MIGRATIONS[version]!, tablePrefix));
      writeVersion.run({ version: version + 1 });
    }
  }).immediate();
}
