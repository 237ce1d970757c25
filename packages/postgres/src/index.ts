/**
 * @errand/postgres: errand's PostgreSQL backend (pg). Jobs live in a schema of their own (default
 * `errand`), created and migrated at start; workers on many machines claim with FOR UPDATE SKIP
 * LOCKED and wake each other with LISTEN/NOTIFY.
 *
 *   import { postgresBackend } from '@errand/postgres';
 *   const app = createErrand({ backend: postgresBackend({ connectionString: process.env.DATABASE_URL }) });
 *
 * or `ERRAND_URL=postgres://user@host/db?schema=errand`. Enqueue inside your own transaction by
 * passing the pg client that holds it as `tx`: the job commits or rolls back with your writes, and
 * workers are woken when (and only if) it commits.
 *
 *   const client = await pool.connect();
 *   try {
 *     await client.query('BEGIN');
 *     …your writes on client…
 *     await orderPlaced.enqueue(input, { tx: client });
 *     await client.query('COMMIT');
 *   } catch (error) { await client.query('ROLLBACK'); throw error; } finally { client.release(); }
 */
import type { Backend } from '@errand/core';
import { Connections } from './connections.ts';
import { migrateSchema, type MigrationResult } from './migrations.ts';
import { resolveOptions, type PostgresBackendOptions } from './options.ts';
import { PostgresBackend } from './postgres-backend.ts';
import { parseUrl } from './url.ts';

export type { PostgresBackendOptions } from './options.ts';
export type { MigrationResult } from './migrations.ts';
export { SCHEMA_VERSION } from './migrations.ts';

/** A PostgreSQL backend; options are checked here, the connection is opened by init(). */
export function postgresBackend(options: PostgresBackendOptions): Backend {
  return new PostgresBackend(resolveOptions(options));
}

/**
 * A PostgreSQL backend from a URL, as ERRAND_URL gives it: `postgres://user:password@host:5432/db`,
 * with errand's schema as `?schema=name` (other query parameters go to pg). `options` adds the other
 * settings (poolSize, migrate, logger).
 */
export function fromUrl(
  url: string,
  options?: Omit<PostgresBackendOptions, 'connectionString' | 'pool' | 'poolConfig'>,
): Backend {
  const { connectionString, schema } = parseUrl(url);
  return postgresBackend({ ...options, connectionString, ...(schema === undefined ? {} : { schema }) });
}

/**
 * Brings errand's schema up to date and returns the versions before and after; what
 * `errand migrate` runs, for teams that migrate at deploy time (then start the app with
 * `migrate: false`). Safe to run while workers are up, and from several places at once. Takes the
 * same options as postgresBackend(); with `pool`, that pool is left open.
 */
export async function migrate(options: PostgresBackendOptions): Promise<MigrationResult> {
  const resolved = resolveOptions(options);
  const connections = new Connections(resolved.source, resolved.logger);
  try {
    return await migrateSchema(connections, resolved.schema, true);
  } finally {
    await connections.end();
  }
}
