import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { consoleLogger, type Logger } from '@errand/core';

/** Options of `redisBackend()`. Every field is optional; give at most one of `url`/`redis` and `client`. */
export interface RedisBackendOptions {
  /**
   * The server: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. errand opens
   * its connections from it. (Default: `redis://127.0.0.1:6379` when neither `url`, `client` nor
   * `redis` is given.)
   */
  url?: string;

  /**
   * An ioredis client of your app (a `Redis` or a `Cluster`): errand sends its commands on it and
   * opens one more connection with `client.duplicate()` for its wake-up subscription. Its settings
   * and its lifetime stay yours: close() does not close it, and errand adds no listener to it. It
   * must not have a `keyPrefix` (errand's scripts build key names themselves; use `prefix`).
   * (Default: none; errand opens its own connection.)
   */
  client?: Redis | Cluster;

  /**
   * ioredis options for the connections errand opens (host, port, password, db, tls, …). With
   * `url`, they add to what the URL says. `keyPrefix` is not allowed: use `prefix`.
   * (Default: ioredis's defaults.)
   */
  redis?: RedisOptions;

  /**
   * The start of every key errand writes, as a hash tag: keys are `{prefix}:job:42`, `{prefix}:leases`, …
   * so that they all sit in one Redis Cluster slot. Two apps on one Redis keep their jobs apart
   * with two prefixes. 1-64 characters, no braces or whitespace.
   * (Default: `'errand'`.)
   */
  prefix?: string;

  /**
   * Where errand reports lost connections, reconnections and a risky server setting
   * (a maxmemory-policy other than noeviction).
   * (Default: lines on stderr, like the core's default logger.)
   */
  logger?: Logger;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  /** The app's client, when given; otherwise errand opens one from url and redis. */
  client: Redis | Cluster | null;
  url: string | null;
  redis: RedisOptions;
  prefix: string;
  logger: Logger;
}

const KNOWN_OPTIONS = ['url', 'client', 'redis', 'prefix', 'logger'];

const PREFIX_PATTERN = /^[^{}\s]{1,64}$/;

function fail(message: string): never {
  throw new TypeError(`redisBackend: ${message}`);
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'no prototype'})`;
}

function isLogger(value: unknown): value is Logger {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((level) => typeof candidate[level] === 'function');
}

/** Checks the options once, at construction; each error says how to fix it. */
export function resolveOptions(options: RedisBackendOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(
      `options must be an object such as { url: 'redis://127.0.0.1:6379' } (got ${describeValue(options)})`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      fail(`unknown option "${key}"; the options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  const { url, client, redis, prefix, logger } = options;

  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//i.test(url))) {
    fail(
      `url must be a Redis URL such as 'redis://127.0.0.1:6379' or 'rediss://…' (got ${describeValue(url)})`,
    );
  }
  if (client !== undefined) {
    if (url !== undefined || redis !== undefined) {
      fail(
        'give either client (your own ioredis client) or url/redis (errand opens the connection), not both',
      );
    }
    if (!(client instanceof Redis) && !(client instanceof Cluster)) {
      fail(
        `client must be an ioredis Redis or Cluster, from new Redis(…) (got ${describeValue(client)}); ` +
          'if it comes from another copy of ioredis, pass its url or options instead',
      );
    }
    if (client.options.keyPrefix) {
      fail(
        `client has keyPrefix ${JSON.stringify(client.options.keyPrefix)}, which errand's scripts cannot see; ` +
          'pass a client without keyPrefix and set errand’s own prefix option instead',
      );
    }
    if (client.status === 'end') fail('client was closed (quit or disconnect); pass an open client');
  }
  if (redis !== undefined) {
    if (redis === null || typeof redis !== 'object' || Array.isArray(redis)) {
      fail(`redis must be an object of ioredis options such as { host, port } (got ${describeValue(redis)})`);
    }
    if (redis.keyPrefix) {
      fail(
        'redis.keyPrefix is not supported (errand’s scripts build key names themselves); use the prefix option',
      );
    }
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix))) {
    fail(
      `prefix must be 1-64 characters without braces or whitespace, such as 'errand' or 'shop:jobs' ` +
        `(got ${describeValue(prefix)}); errand wraps it in braces itself`,
    );
  }
  if (logger !== undefined && !isLogger(logger)) {
    fail('logger must have debug, info, warn and error methods (the errand Logger shape)');
  }

  return {
    client: client ?? null,
    url: url ?? null,
    redis: redis ?? {},
    prefix: prefix ?? 'errand',
    logger: logger ?? consoleLogger(),
  };
}
