// redisBackend() options and fromUrl(): checked at construction, errors say how to fix them; an app's
// own client is used and left open; ERRAND_URL reaches this package; a risky eviction policy is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backendFromUrl } from '@errand/core';
import { fromUrl, redisBackend, type RedisBackendOptions } from '@errand/redis';
import { Redis } from 'ioredis';

import { skipUnlessReachable } from '../support/services.ts';
import { redisServerAvailable, startOwnRedis } from './processes.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

function rejectsOptions(options: unknown, message: RegExp): void {
  assert.throws(() => redisBackend(options as RedisBackendOptions), message);
}

function recordingLogger() {
  const lines: string[] = [];
  const record = (message: string) => lines.push(message);
  return { lines, logger: { debug: record, info: record, warn: record, error: record } };
}

describe('redisBackend options', () => {
  it('accepts no options at all and connects to nothing until init()', () => {
    assert.equal(redisBackend().kind, 'redis');
  });

  it('refuses an unknown option, listing the known ones', () => {
    rejectsOptions(
      { host: 'x' },
      /unknown option "host"; the options are url, client, redis, prefix, logger/,
    );
  });

  it('refuses a url that is not a Redis URL', () => {
    rejectsOptions({ url: 'postgres://db' }, /url must be a Redis URL such as 'redis:\/\/127.0.0.1:6379'/);
    rejectsOptions({ url: 6379 }, /url must be a Redis URL .*\(got 6379\)/);
  });

  it('refuses a client together with url or redis, and anything but an ioredis client', () => {
    const client = new Redis({ lazyConnect: true });
    rejectsOptions({ client, url: REDIS_URL }, /either client .* or url\/redis .*, not both/);
    rejectsOptions({ client: {} }, /client must be an ioredis Redis or Cluster/);
    client.disconnect();
  });

  it('refuses a keyPrefix, in a client or in redis options', () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: 'app:' });
    rejectsOptions({ client }, /client has keyPrefix "app:".*set errand’s own prefix option/);
    client.disconnect();
    rejectsOptions(
      { redis: { keyPrefix: 'app:' } },
      /redis.keyPrefix is not supported.*use the prefix option/,
    );
  });

  it('refuses a prefix with braces or whitespace, or too long', () => {
    rejectsOptions({ prefix: '{shop}' }, /prefix must be 1-64 characters without braces or whitespace/);
    rejectsOptions({ prefix: 'my shop' }, /prefix must be/);
    rejectsOptions({ prefix: '' }, /prefix must be/);
    rejectsOptions({ prefix: 'x'.repeat(65) }, /prefix must be/);
  });

  it('refuses a logger without the four levels', () => {
    rejectsOptions({ logger: { warn() {} } }, /logger must have debug, info, warn and error methods/);
  });

  it('puts every key under the prefix in a hash tag', () => {
    assert.equal(redisBackend({ prefix: 'shop:jobs' }).keyPrefix, '{shop:jobs}:');
    assert.equal(redisBackend().keyPrefix, '{errand}:');
  });
});

describe('fromUrl', () => {
  it('takes the prefix from the URL', () => {
    const backend = fromUrl('redis://127.0.0.1:6379/0?prefix=shop') as ReturnType<typeof redisBackend>;
    assert.equal(backend.keyPrefix, '{shop}:');
  });

  it('refuses other schemes, a prefix given twice, or in the URL and in options', () => {
    assert.throws(() => fromUrl('sqlite:./x.db'), /is not a Redis URL; write redis:\/\/host:6379/);
    assert.throws(() => fromUrl('redis://h?prefix=a&prefix=b'), /gives prefix 2 times; give it once/);
    assert.throws(() => fromUrl('redis://h?prefix=a', { prefix: 'b' }), /in the URL or in options, not both/);
  });
});

describe('redis backend connections', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  it('works on an app’s own client and leaves it open at close()', async () => {
    const prefix = testPrefix();
    const client = new Redis(REDIS_URL);
    try {
      const backend = redisBackend({ client, prefix, logger: silentLogger });
      await backend.init();
      const [id] = await backend.insert([
        {
          task: 'send-email',
          queue: 'default',
          state: 'queued',
          priority: 0,
          payload: '{}',
          maxAttempts: 1,
          runAt: 1,
          createdAt: 1,
        },
      ]);
      assert.equal((await backend.get(id!))?.task, 'send-email');
      await backend.close();
      assert.equal(await client.ping(), 'PONG', 'the app’s client is still open');
      await assert.rejects(backend.get(id!), /used after close/);
    } finally {
      await client.quit();
      await deletePrefix(prefix);
    }
  });

  it('is what ERRAND_URL=redis://… opens, prefix included', async () => {
    const prefix = testPrefix();
    const backend = await backendFromUrl(`${REDIS_URL}/0?prefix=${prefix}`);
    try {
      assert.equal(backend.kind, 'redis');
      assert.equal((backend as ReturnType<typeof redisBackend>).keyPrefix, `{${prefix}}:`);
    } finally {
      await backend.close();
    }
  });

  it('says so when it cannot set up, and can be closed', async () => {
    const backend = redisBackend({
      url: 'redis://127.0.0.1:1',
      redis: { maxRetriesPerRequest: 0, retryStrategy: () => null },
      logger: silentLogger,
    });
    await assert.rejects(backend.init(), /redis backend: cannot set up at 127.0.0.1:1: .*Check that Redis/);
    await backend.close();
  });
});

describe(
  'redis backend and the eviction policy',
  { skip: redisServerAvailable() ? false : 'no redis-server' },
  () => {
    it('warns at init when Redis may evict keys', async () => {
      const server = await startOwnRedis({ maxmemoryPolicy: 'allkeys-lru', persistence: false });
      const { lines, logger } = recordingLogger();
      const backend = redisBackend({ url: server.url, logger });
      try {
        await backend.init();
        assert.ok(
          lines.some((line) => /maxmemory-policy allkeys-lru.*Set maxmemory-policy noeviction/.test(line)),
          `a warning about the policy, got: ${JSON.stringify(lines)}`,
        );
      } finally {
        await backend.close();
        await server.dispose();
      }
    });
  },
);
