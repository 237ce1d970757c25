import type { Database } from 'better-sqlite3';

/** Options of `sqliteBackend()`. Every field is optional. */
export interface SqliteBackendOptions {
  /**
   * The database file errand opens, and creates when missing, at init(). A relative path is resolved
   * against the working directory. `':memory:'` gives a private in-memory store (one process only,
   * gone at close). Leave it out when you pass `database`.
   * (Default: `'./errand.db'`.)
   */
  path?: string;

  /**
   * An open better-sqlite3 connection of your app: errand's tables are then created in your own
   * database, next to your tables. errand leaves the connection's settings (journal mode, synchronous)
   * and its lifetime to you: close() does not close it. Prefer WAL mode when several processes share
   * the file. Note that everything errand does then runs on this one connection, inside any
   * transaction you have open on it; to enqueue inside your own transactions while workers run in the
   * same process, give errand its own `path` to the same file and pass your connection as `tx`.
   * (Default: none; errand opens `path`.)
   */
  database?: Database;

  /**
   * How long a write waits for another connection's lock (another worker process) before failing
   * with SQLITE_BUSY, in milliseconds. With `database`, it is only applied when you set it.
   * (Default: `5000`.)
   */
  busyTimeoutMs?: number;

  /**
   * The start of every table and index name errand creates (`errand_jobs`, `errand_workers`, …),
   * so that errand's tables stand apart from yours, or two stores share one file. Letters, digits
   * and underscores, starting with a letter or underscore, at most 32 characters.
   * (Default: `'errand_'`.)
   */
  tablePrefix?: string;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  path: string;
  database: Database | null;
  busyTimeoutMs: number;
  /** Whether busyTimeoutMs was given (it is only applied to an app's `database` then). */
  busyTimeoutGiven: boolean;
  tablePrefix: string;
}

const KNOWN_OPTIONS = ['path', 'database', 'busyTimeoutMs', 'tablePrefix'];

const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

function fail(message: string): never {
  throw new TypeError(`sqliteBackend: ${message}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'no prototype'})`;
}

function isBetterSqliteDatabase(value: unknown): value is Database {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Record<keyof Database, unknown>>;
  return (
    typeof candidate.prepare === 'function' &&
    typeof candidate.transaction === 'function' &&
    typeof candidate.name === 'string' &&
    typeof candidate.inTransaction === 'boolean'
  );
}

/** Checks the options once, at construction; each error says how to fix it. */
export function resolveOptions(options: SqliteBackendOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(`options must be an object such as { path: './errand.db' } (got ${describe(options)})`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      fail(`unknown option "${key}"; the options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  const { path, database, busyTimeoutMs, tablePrefix } = options;

  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    fail(`path must be a file path such as './errand.db' or ':memory:' (got ${describe(path)})`);
  }
  if (database !== undefined) {
    if (path !== undefined) {
      fail('give either path (errand opens the file) or database (your own connection), not both');
    }
    if (!isBetterSqliteDatabase(database)) {
      fail(`database must be a better-sqlite3 Database, from new Database(file) (got ${describe(database)})`);
    }
    if (!database.open) fail(`database (${database.name}) is closed; pass an open connection`);
    if (database.readonly) {
      fail(
        `database (${database.name}) was opened read-only; errand writes jobs, open it without { readonly: true }`,
      );
    }
  }
  if (
    busyTimeoutMs !== undefined &&
    !(
      typeof busyTimeoutMs === 'number' &&
      Number.isInteger(busyTimeoutMs) &&
      busyTimeoutMs >= 0 &&
      busyTimeoutMs <= 2 ** 31 - 1
    )
  ) {
    fail(
      `busyTimeoutMs must be a whole number of milliseconds, 0 or more (got ${describe(busyTimeoutMs)}); leave it out for 5000`,
    );
  }
  if (tablePrefix !== undefined && (typeof tablePrefix !== 'string' || !PREFIX_PATTERN.test(tablePrefix))) {
    fail(
      `tablePrefix must be letters, digits and underscores, starting with a letter or underscore, ` +
        `at most 32 characters, such as 'errand_' (got ${describe(tablePrefix)})`,
    );
  }

  return {
    path: path ?? './errand.db',
    database: database ?? null,
    busyTimeoutMs: busyTimeoutMs ?? 5000,
    busyTimeoutGiven: busyTimeoutMs !== undefined,
    tablePrefix: tablePrefix ?? 'errand_',
  };
}
