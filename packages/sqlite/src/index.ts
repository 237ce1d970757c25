/**
 * @errand/sqlite: errand's embedded backend. Zero set-up, one file, safe with several worker
 * processes on that file (WAL mode, IMMEDIATE write transactions, busy_timeout).
 *
 *   import { sqliteBackend } from '@errand/sqlite';
 *   const backend = sqliteBackend({ path: './jobs.db' });
 *
 * Enqueue inside your own transaction by passing your connection as `tx`; the job is committed or
 * rolled back with your transaction. Open it with BEGIN IMMEDIATE (better-sqlite3's
 * db.transaction(fn) commits as soon as fn returns, before an awaited enqueue gets to run):
 *
 *   db.exec('BEGIN IMMEDIATE');
 *   try { …your writes…; await orderPlaced.enqueue(input, { tx: db }); db.exec('COMMIT'); }
 *   catch (error) { db.exec('ROLLBACK'); throw error; }
 *
 * Other processes find new jobs by polling: SQLite has no cross-process notifications.
 */
import type { Backend } from '@errand/core';
import { resolveOptions, type SqliteBackendOptions } from './options.ts';
import { SqliteBackend } from './sqlite-backend.ts';
import { pathFromUrl } from './url.ts';

export type { SqliteBackendOptions } from './options.ts';
export { SCHEMA_VERSION } from './schema.ts';

/** A SQLite backend; options are checked here, the file is opened by init(). */
export function sqliteBackend(options?: SqliteBackendOptions): Backend {
  return new SqliteBackend(resolveOptions(options));
}

/**
 * A SQLite backend from a URL: `sqlite:./path.db`, `sqlite:/abs/path.db` (or `sqlite:///abs/path.db`),
 * `sqlite::memory:`. `options` adds the other settings (busyTimeoutMs, tablePrefix).
 */
export function fromUrl(url: string, options?: Omit<SqliteBackendOptions, 'path' | 'database'>): Backend {
  return sqliteBackend({ ...options, path: pathFromUrl(url) });
}
