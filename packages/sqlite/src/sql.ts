import { readFileSync } from 'node:fs';

/**
 * Loads the query text kept in ./sql/*.sql (STYLE rule 8).
 *
 * The folder is found from this module's own URL as `../src/sql/`: that is the same folder whether
 * this file runs from src/ (tsx, tests) or from a built dist/ (the package ships src/, see "files"),
 * so the build never has to copy .sql files.
 *
 * Every table and index name in the files starts with `errand_`; `tablePrefix` replaces it.
 *
 * A LIMIT that takes a parameter is written `LIMIT :limit + 0`, never `LIMIT :limit`: SQLite plans
 * with the value bound to a bare parameter there, so it prepares the statement again whenever that
 * parameter is bound, and better-sqlite3 binds every parameter on every run. For the claim that is
 * ~0.2 ms per call, where a claim that finds nothing takes ~0.02 ms; test/sqlite/sql-files.test.ts
 * keeps it out.
 */
const SQL_DIR = new URL('../src/sql/', import.meta.url);

const DEFAULT_PREFIX = 'errand_';

/** A line that starts a named statement in a grouped file, as in sqlc: `-- name: claim-jobs`. */
const NAME_LINE = /^-- name: ([a-z][a-z0-9-]*)[ \t]*$/gm;

const files = new Map<string, string>();

function readSqlFile(file: string): string {
  let text = files.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(file, SQL_DIR), 'utf8');
    files.set(file, text);
  }
  return text;
}

function withPrefix(text: string, tablePrefix: string): string {
  return tablePrefix === DEFAULT_PREFIX ? text : text.replace(/\berrand_/g, tablePrefix);
}

/** A whole file, for DDL run with `db.exec` (several statements). */
export function sqlFile(file: string, tablePrefix: string): string {
  return withPrefix(readSqlFile(file), tablePrefix);
}

/** One `-- name: …` statement of a file, from its name line up to the next one (comments included). */
export function sqlStatement(file: string, name: string, tablePrefix: string): string {
  const text = readSqlFile(file);
  const starts = [...text.matchAll(NAME_LINE)];
  const index = starts.findIndex((match) => match[1] === name);
  const start = starts[index];
  if (start === undefined) {
    throw new Error(`@errand/sqlite: no statement "-- name: ${name}" in sql/${file} (a packaging bug)`);
  }
  const end = starts[index + 1]?.index ?? text.length;
  return withPrefix(text.slice(start.index, end).trim(), tablePrefix);
}
