import type { Database, Statement } from 'better-sqlite3';
import { sqlStatement } from './sql.ts';

/**
 * Items (jobs, changes) per statement at most when a batch is written with a multi-row statement:
 * for inserts, 100 took less CPU than 25 or 500.
 */
export const ROWS_PER_STATEMENT = 100;

/**
 * A statement of sql/<file> with one `VALUES (?, …)` row, prepared with that row repeated `rows`
 * times: one statement per 100 jobs takes about half the CPU of one per job (insert.sql,
 * transition.sql). Each row count is prepared once and kept. The statement returns one column.
 */
export function multiRowStatement<V>(
  db: Database,
  file: string,
  name: string,
  tablePrefix: string,
): (rows: number) => Statement<V[], number> {
  const text = sqlStatement(file, name, tablePrefix);
  const row = /VALUES (\([?, ]+\))/.exec(text);
  if (row === null) {
    throw new Error(`@errand/sqlite: sql/${file} "${name}" has no VALUES row (a packaging bug)`);
  }
  const statements = new Map<number, Statement<V[], number>>();
  return (rows) => {
    let statement = statements.get(rows);
    if (statement === undefined) {
      const values = `VALUES ${Array.from({ length: rows }, () => row[1]).join(', ')}`;
      statement = db.prepare<V[], number>(text.replace(row[0], values)).safeIntegers(false).pluck();
      statements.set(rows, statement);
    }
    return statement;
  };
}
