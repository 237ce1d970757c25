import { readdirSync, readFileSync } from 'node:fs';

/**
 * Loads the query text kept in ./sql/*.sql (STYLE rule 8).
 *
 * The folder is found from this module's own URL as `../src/sql/`: that is the same folder whether
 * this file runs from src/ (tsx, tests) or from a built dist/ (the package ships src/, see "files"),
 * so the build never has to copy .sql files.
 *
 * The files name the schema `errand` (`errand.jobs`, `CREATE SCHEMA IF NOT EXISTS errand;`); the
 * configured schema replaces it, quoted, wherever it stands before a `.` or a `;`.
 */
const SQL_DIR = new URL('../src/sql/', import.meta.url);
const MIGRATIONS_DIR = new URL('migrations/', SQL_DIR);

/** A line that starts a named statement in a grouped file, as in sqlc: `-- name: claim-jobs`. */
const NAME_LINE = /^-- name: ([a-z][a-z0-9-]*)[ \t]*$/gm;

/** A migration file: its three-digit version, then a name. */
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

const files = new Map<string, string>();

function readSqlFile(url: URL): string {
  let text = files.get(url.href);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    files.set(url.href, text);
  }
  return text;
}

/** `"schema"`: a schema name the options already checked (lowercase letters, digits, underscores). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function inSchema(text: string, schema: string): string {
  return text.replace(/\berrand(?=[.;])/g, quoteIdentifier(schema));
}

/** One `-- name: …` statement of a file, from its name line up to the next one (comments included). */
export function sqlStatement(file: string, name: string, schema: string): string {
  const text = readSqlFile(new URL(file, SQL_DIR));
  const starts = [...text.matchAll(NAME_LINE)];
  const index = starts.findIndex((match) => match[1] === name);
  const start = starts[index];
  if (start === undefined) {
    throw new Error(`@errand/postgres: no statement "-- name: ${name}" in sql/${file} (a packaging bug)`);
  }
  const end = starts[index + 1]?.index ?? text.length;
  return inSchema(text.slice(start.index, end).trim(), schema);
}

/**
 * The migrations in sql/migrations/, in order: the file numbered n takes a schema from version n - 1
 * to version n. A new schema version adds a file and never edits an old one.
 */
export function migrationFiles(): string[] {
  const names = readdirSync(MIGRATIONS_DIR)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  names.forEach((name, index) => {
    const version = MIGRATION_FILE.exec(name)?.[1];
    if (version === undefined || Number(version) !== index + 1) {
      throw new Error(
        `@errand/postgres: sql/migrations/${name} is out of sequence; migrations are named ` +
          `001_name.sql, 002_name.sql, … with no gap (a packaging bug)`,
      );
    }
  });
  return names;
}

/** A whole migration file (several statements, run with the simple query protocol). */
export function migrationSql(file: string, schema: string): string {
  return inSchema(readSqlFile(new URL(file, MIGRATIONS_DIR)), schema);
}
