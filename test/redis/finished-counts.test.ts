// finishedCounts reads a busy window in several short scripts; thousands of jobs finishing in the
// same millisecond (one worker's batch) must each count once across the stretches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { NewJob } from '@errand/core';
import { redisBackend } from '@errand/redis';

import { skipUnlessReachable } from '../support/services.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

const NOW = 10_000_000;

describe('redis finishedCounts', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  it('counts every job of a window longer than one script reads, ties on finishedAt included', async () => {
    const prefix = testPrefix();
    const backend = redisBackend({ url: REDIS_URL, prefix, logger: silentLogger });
    try {
      await backend.init();
      const job = (queue: string): NewJob => ({
        task: 'export',
        queue,
        state: 'queued',
        priority: 0,
        payload: '{}',
        maxAttempts: 1,
        runAt: NOW,
        createdAt: NOW,
      });
      // 12,000 jobs (over two stretches of 5,000) finished in one millisecond, 3 more a minute later.
      await backend.insert(Array.from({ length: 12_000 }, (_, n) => job(n % 2 === 0 ? 'a' : 'b')));
      await backend.insert([job('a'), job('a'), job('b')]);
      const claimed = await backend.claim({
        queues: null,
        tasks: ['export'],
        limit: 12_003,
        workerId: 'w',
        leaseToken: 't',
        leaseUntil: NOW + 60_000,
        now: NOW,
      });
      assert.equal(claimed.length, 12_003);
      await backend.transition(
        claimed.map((record, n) => ({
          id: record.id,
          from: ['running'],
          to: 'succeeded',
          finishedAt: n < 12_000 ? NOW : NOW + 60_000,
        })),
      );
      const counts = await backend.finishedCounts({ since: NOW, until: NOW + 120_000, bucketMs: 60_000 });
      const sorted = [...counts].sort((x, y) => x.bucket - y.bucket || x.queue.localeCompare(y.queue));
      assert.deepEqual(sorted, [
        { queue: 'a', state: 'succeeded', bucket: NOW, count: 6_000 },
        { queue: 'b', state: 'succeeded', bucket: NOW, count: 6_000 },
        { queue: 'a', state: 'succeeded', bucket: NOW + 60_000, count: 2 },
        { queue: 'b', state: 'succeeded', bucket: NOW + 60_000, count: 1 },
      ]);
    } finally {
      await backend.close();
      await deletePrefix(prefix);
    }
  });
});
