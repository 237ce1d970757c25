// What claim.lua does under a rate or concurrency limit that the contract leaves to the backend:
// how far a concurrency-limited claim looks past saturated keys, and how much a rate key keeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { redisBackend, type RedisBackend } from '@errand/redis';
import { Redis } from 'ioredis';

import { claimRequest, ids, newJob, NOW, SECOND } from '../contract/helpers.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

/** claim.lua's SKIP_MAX: the most candidates one claim skips for a full concurrency key. */
const SKIP_MAX = 1_000;

describe('redis: limited claims', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  let prefix: string;
  let backend: RedisBackend;
  let inspector: Redis;
  before(() => {
    inspector = new Redis(REDIS_URL);
  });
  after(() => {
    inspector.disconnect();
  });

  async function fresh(): Promise<RedisBackend> {
    prefix = testPrefix();
    backend = redisBackend({ url: REDIS_URL, prefix, logger: silentLogger });
    await backend.init();
    return backend;
  }

  async function dispose(): Promise<void> {
    await backend.close();
    await deletePrefix(prefix);
  }

  it('a concurrency-limited claim skips at most SKIP_MAX jobs of full keys, then stops', async () => {
    await fresh();
    try {
      const saturated = Array.from({ length: SKIP_MAX + 10 }, () =>
        newJob({ priority: 0, concurrencyKey: 'big' }),
      );
      for (let i = 0; i < saturated.length; i += 500) await backend.insert(saturated.slice(i, i + 500));
      const [behind = ''] = await backend.insert([newJob({ priority: 1 })]);
      const first = await backend.claim(claimRequest({ limit: 5, concurrency: { max: 1 } }));
      assert.equal(first.length, 1, 'one job of the key, then SKIP_MAX skipped and the claim stops');
      assert.equal(first[0]?.concurrencyKey, 'big');
      assert.deepEqual(
        await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 1 } })),
        [],
        'the job behind more than SKIP_MAX waiting jobs of a full key waits',
      );
      // An unlimited claim is not held back, and skipped jobs stayed in place, in order.
      const all = await backend.claim(claimRequest({ leaseToken: 'lease-3', limit: 2_000 }));
      assert.equal(all.length, SKIP_MAX + 10);
      assert.equal(all.at(-1)?.id, behind);
      assert.deepEqual(
        ids(all).slice(0, -1),
        ids(all)
          .slice(0, -1)
          .sort((a, b) => Number(a) - Number(b)),
      );
    } finally {
      await dispose();
    }
  });

  it('a claim looks past fewer than SKIP_MAX jobs of full keys', async () => {
    await fresh();
    try {
      await backend.insert(
        Array.from({ length: SKIP_MAX - 10 }, () => newJob({ priority: 0, concurrencyKey: 'big' })),
      );
      const [behind = ''] = await backend.insert([newJob({ priority: 1 })]);
      const claimed = await backend.claim(claimRequest({ limit: 5, concurrency: { max: 1 } }));
      assert.equal(claimed.length, 2);
      assert.equal(claimed[1]?.id, behind);
    } finally {
      await dispose();
    }
  });

  it("a rate key's zset keeps the starts of the last two periods", async () => {
    await fresh();
    try {
      await backend.insert(Array.from({ length: 30 }, () => newJob()));
      const rate = { key: 'mail', max: 5, periodMs: SECOND };
      for (let n = 0; n < 5; n++) {
        await backend.claim(claimRequest({ leaseToken: `lease-${n}`, now: NOW + n * SECOND, rate }));
      }
      const starts = await inspector.zrange(`${backend.keyPrefix}rate:mail`, '0', '-1', 'WITHSCORES');
      const times = starts.filter((_, i) => i % 2 === 1).map(Number);
      assert.deepEqual(
        [...new Set(times)],
        [NOW + 3 * SECOND, NOW + 4 * SECOND],
        'the starts of the last two claims only',
      );
      assert.equal(times.length, 10);
    } finally {
      await dispose();
    }
  });

  it('running-per-key counts keyed jobs however they were claimed, and forgets a key at zero', async () => {
    await fresh();
    try {
      await backend.insert([newJob({ concurrencyKey: 'a' }), newJob({ concurrencyKey: 'a' }), newJob()]);
      const claimed = await backend.claim(claimRequest());
      assert.deepEqual(await inspector.hgetall(`${backend.keyPrefix}running-per-key`), { a: '2' });
      await backend.transition(
        claimed.map((job) => ({
          id: job.id,
          from: ['running'],
          leaseToken: job.leaseToken!,
          to: 'succeeded',
          finishedAt: NOW,
        })),
      );
      assert.deepEqual(await inspector.hgetall(`${backend.keyPrefix}running-per-key`), {});
    } finally {
      await dispose();
    }
  });
});
