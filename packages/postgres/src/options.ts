import type { Pool, PoolConfig } from 'pg';
import { consoleLogger, type Logger } from '@errand/core';

/** Options of `postgresBackend()`. Give exactly one of `connectionString`, `pool` or `poolConfig`. */
export interface PostgresBackendOptions {
  /**
   * Where the database is, as a URL: `postgres://user:password@host:5432/database`. errand opens a
   * pool of its own on it (see `poolSize`), and closes it at close().
   * (Default: none.)
   */
  connectionString?: string;

  /**
   * A pg.Pool your app already has: errand runs its queries on it and leaves its lifetime to you
   * (close() does not end it). It also opens one connection of its own with the pool's settings, for
   * LISTEN, which a pooled connection cannot hold. Give your pool an 'error' listener, as pg asks.
   * (Default: none.)
   */
  pool?: Pool;

  /**
   * Settings for errand's own pool, as pg takes them (host, port, user, password, database, ssl, max,
   * …); `{}` takes everything from the PG* environment variables, as psql does.
   * (Default: none.)
   */
  poolConfig?: PoolConfig;

  /**
   * The PostgreSQL schema that holds errand's tables (jobs, workers, schema_version); it is created
   * if missing. Lowercase letters, digits and underscores, starting with a letter or underscore, at
   * most 48 characters. Two apps, or two test runs, can share a database with a schema each.
   * (Default: `'errand'`.)
   */
  schema?: string;

  /**
   * The most connections errand's own pool opens (with `connectionString` or `poolConfig`).
   * One worker process needs about three at full speed: claims, completions, heartbeats.
   * (Default: `10`, or `poolConfig.max`.)
   */
  poolSize?: number;

  /**
   * Whether init() brings the schema up to date. `true` applies any missing migration, under an
   * advisory lock so that many processes starting at once are safe. `false` only checks, and fails
   * when the schema is behind: for teams that run `errand migrate` (or `migrate()`) at deploy time and
   * give the app a role without CREATE rights.
   * (Default: `true`.)
   */
  migrate?: boolean;

  /**
   * Where the backend reports connection trouble (a lost LISTEN connection and its reconnection, an
   * idle pooled connection dropped by the server). Queries that fail are reported by the core.
   * (Default: lines on stderr, as the core's default logger writes them.)
   */
  logger?: Logger;
}

/** Where connections come from: the app's pool, or settings for a pool of errand's own. */
export type ConnectionSource = { kind: 'app-pool'; pool: Pool } | { kind: 'own-pool'; config: PoolConfig };

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  source: ConnectionSource;
  schema: string;
  migrate: boolean;
  logger: Logger;
}

const KNOWN_OPTIONS = ['connectionString', 'pool', 'poolConfig', 'schema', 'poolSize', 'migrate', 'logger'];

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

function fail(message: string): never {
  throw new TypeError(`postgresBackend: ${message}`);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'no prototype'})`;
}

function isPool(value: unknown): value is Pool {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Record<keyof Pool, unknown>>;
  return (
    typeof candidate.connect === 'function' &&
    typeof candidate.query === 'function' &&
    typeof candidate.end === 'function' &&
    typeof candidate.totalCount === 'number'
  );
}

function isLogger(value: unknown): value is Logger {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Record<keyof Logger, unknown>>;
  return (['debug', 'info', 'warn', 'error'] as const).every(
    (level) => typeof candidate[level] === 'function',
  );
}

/** Checks the options once, at construction; each error says how to fix it. */
export function resolveOptions(options: PostgresBackendOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(
      `options must be an object such as { connectionString: 'postgres://localhost/app' } (got ${describe(options)})`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      fail(`unknown option "${key}"; the options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  const { connectionString, pool, poolConfig, schema, poolSize, migrate, logger } = options;

  const given = (['connectionString', 'pool', 'poolConfig'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (given.length !== 1) {
    fail(
      given.length === 0
        ? "say where the database is: give connectionString ('postgres://user@host/database'), " +
            'pool (a pg.Pool of your app) or poolConfig (pg pool settings)'
        : `give only one of connectionString, pool and poolConfig (got ${given.join(' and ')})`,
    );
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
    fail(
      `connectionString must be a URL such as 'postgres://user:password@localhost:5432/app' (got ${describe(connectionString)})`,
    );
  }
  if (pool !== undefined && !isPool(pool)) {
    fail(`pool must be a pg.Pool, from new pg.Pool({ … }) (got ${describe(pool)})`);
  }
  if (
    poolConfig !== undefined &&
    (poolConfig === null || typeof poolConfig !== 'object' || Array.isArray(poolConfig))
  ) {
    fail(
      `poolConfig must be pg pool settings such as { host: 'localhost', database: 'app' } (got ${describe(poolConfig)})`,
    );
  }
  if (
    schema !== undefined &&
    (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema) || schema.startsWith('pg_'))
  ) {
    fail(
      'schema must be lowercase letters, digits and underscores, starting with a letter or underscore, ' +
        `at most 48 characters and not starting with pg_, such as 'errand' (got ${describe(schema)})`,
    );
  }
  if (poolSize !== undefined) {
    if (pool !== undefined)
      fail('poolSize sizes the pool errand opens; with your own pool, set its max instead');
    if (!(typeof poolSize === 'number' && Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 1_000)) {
      fail(
        `poolSize must be a whole number of connections from 1 to 1000 (got ${describe(poolSize)}); leave it out for 10`,
      );
    }
  }
  if (migrate !== undefined && typeof migrate !== 'boolean') {
    fail(`migrate must be true or false (got ${describe(migrate)}); leave it out for true`);
  }
  if (logger !== undefined && !isLogger(logger)) {
    fail(
      `logger must have debug, info, warn and error methods, like the core's Logger (got ${describe(logger)})`,
    );
  }

  return {
    source:
      pool !== undefined
        ? { kind: 'app-pool', pool }
        : { kind: 'own-pool', config: ownPoolConfig(connectionString, poolConfig, poolSize) },
    schema: schema ?? 'errand',
    migrate: migrate ?? true,
    logger: logger ?? consoleLogger(),
  };
}

/**
 * errand's own pool: the caller's settings over these defaults. TCP keep-alive so a dead peer is
 * noticed; a connect timeout so a claim never waits forever for a server that does not answer; a name
 * that shows in pg_stat_activity.
 */
function ownPoolConfig(
  connectionString: string | undefined,
  poolConfig: PoolConfig | undefined,
  poolSize: number | undefined,
): PoolConfig {
  return {
    application_name: 'errand',
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    ...(connectionString === undefined ? {} : { connectionString }),
    ...poolConfig,
    max: poolSize ?? poolConfig?.max ?? 10,
  };
}
