/**
 * @errand/redis: errand's Redis backend, on ioredis.
 *
 *   import { redisBackend } from '@errand/redis';
 *   const app = createErrand({ backend: redisBackend({ url: 'redis://127.0.0.1:6379' }) });
 *
 * or `ERRAND_URL=redis://127.0.0.1:6379` (add `?prefix=shop` for a key prefix of its own).
 *
 * Every state change is one Lua script run on the server (src/lua/*.lua), so it is atomic; idle
 * workers are woken over pub/sub within a round trip of an enqueue. All keys share one hash tag,
 * `{prefix}`, so the scripts also run on Redis Cluster (in one slot). Redis needs
 * maxmemory-policy noeviction, and AOF persistence to keep acknowledged jobs across a restart: see
 * this package's README.
 *
 * Redis cannot join a caller's transaction: enqueue after your transaction commits.
 */
import type { Backend } from '@errand/core';
import { resolveOptions, type RedisBackendOptions } from './options.ts';
import { RedisBackend } from './redis-backend.ts';
import { splitUrl } from './url.ts';

export type { RedisBackendOptions } from './options.ts';
export type { RedisBackend } from './redis-backend.ts';

/** A Redis backend; options are checked here, the connection is opened by init(). */
export function redisBackend(options?: RedisBackendOptions): RedisBackend {
  return new RedisBackend(resolveOptions(options));
}

/**
 * A Redis backend from a URL: `redis://[user:password@]host[:port][/db]`, `rediss://…` for TLS, with
 * an optional `?prefix=…` for the key prefix. `options` adds the other settings (ioredis options,
 * logger).
 */
export function fromUrl(url: string, options?: Omit<RedisBackendOptions, 'url' | 'client'>): Backend {
  const split = splitUrl(url);
  if (split.prefix !== undefined && options?.prefix !== undefined) {
    throw new TypeError(`fromUrl: give the prefix in the URL or in options, not both`);
  }
  return redisBackend({
    ...options,
    url: split.url,
    ...(split.prefix === undefined ? {} : { prefix: split.prefix }),
  });
}
