// list() on Redis reads only index entries that match its filter: a page of a rare task or queue
// among 20,000 jobs reads a few entries, not the jobs between its matches. Counted, not timed:
// list.lua answers how many index entries it read. And a store written before the by-state and
// by-pair id sets existed (with zsets state:<state> and list:<pair>:<state>) gets them at init.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { JobRecord, JobState, ListFilter, NewJob } from '@errand/core';
import { redisBackend, type RedisBackend } from '@errand/redis';
import { Redis } from 'ioredis';

import { ScriptRunner } from '../../packages/redis/src/scripts.ts';
import { newJob } from '../contract/helpers.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

const COMMON = 20_000;
/** Ids per bucket of an id set (common.lua's ID_BUCKET): list.lua reads an id set a bucket at a time. */
const ID_BUCKET = 128;
const NOW = 1_700_000_000_000;

const job = (task: string, queue: string): NewJob =>
  newJob({ task, queue, payload: '{}', runAt: NOW, createdAt: NOW, concurrencyKey: null });

/** Every job, newest first, through list() without a filter (the by-state id sets). */
async function everyJob(backend: RedisBackend): Promise<JobRecord[]> {
  return (await backend.list({ limit: 100_000 })).jobs;
}

function matches(jobs: readonly JobRecord[], filter: ListFilter): JobRecord[] {
  return jobs.filter(
    (each) =>
      (filter.state === undefined || each.state === filter.state) &&
      (filter.task === undefined || each.task === filter.task) &&
      (filter.queue === undefined || each.queue === filter.queue),
  );
}

const FILTERS: ListFilter[] = [
  { task: 'rare', limit: 2 },
  { queue: 'side', limit: 2 },
  { task: 'rare', queue: 'default', limit: 2 },
  { task: 'common', queue: 'side', limit: 2 },
  { task: 'rare', state: 'succeeded', limit: 2 },
  { queue: 'side', state: 'running', limit: 2 },
  { task: 'rare', queue: 'default', state: 'queued', limit: 2 },
  { task: 'none', limit: 2 },
  { queue: 'none', state: 'queued', limit: 2 },
];

describe(
  'redis: list reads only matching index entries',
  { skip: await skipUnlessReachable(REDIS_URL) },
  () => {
    const prefix = testPrefix();
    const backend = redisBackend({ url: REDIS_URL, prefix, logger: silentLogger });
    const client = new Redis(REDIS_URL);
    let scripts: ScriptRunner;
    const idKey = `{${prefix}}:id`;

    before(async () => {
      scripts = await ScriptRunner.open(client);
      await backend.init();
      // 20,000 jobs of one task in one queue; 4 of a rare task and 4 in a rare queue spread among them.
      for (let start = 0; start < COMMON; start += 1_000) {
        const batch = Array.from({ length: 1_000 }, () => job('common', 'default'));
        if (start % 5_000 === 0) batch.splice(500, 0, job('rare', 'default'), job('common', 'side'));
        await backend.insert(batch);
      }
      // Some of each move on: one rare job succeeds, one side job runs.
      const lease = { workerId: 'w', leaseUntil: NOW + 60_000, now: NOW, queues: null };
      const [rare] = await backend.claim({ ...lease, tasks: ['rare'], limit: 1, leaseToken: 'l1' });
      await backend.transition([
        { id: rare!.id, from: ['running'], leaseToken: 'l1', to: 'succeeded', result: '1', finishedAt: NOW },
      ]);
      await backend.claim({ ...lease, tasks: ['common'], queues: ['side'], limit: 1, leaseToken: 'l2' });
    });
    after(async () => {
      client.disconnect();
      await backend.close();
      await deletePrefix(prefix);
    });

    /** list.lua once, as list() calls it: the jobs and the index entries it read. */
    async function listScript(filter: ListFilter, beforeId = ''): Promise<{ ids: string[]; read: number }> {
      const reply = await scripts.run('list', idKey, [
        filter.state ?? '',
        filter.task ?? '',
        filter.queue ?? '',
        beforeId,
        filter.limit + 1,
        1_000,
      ]);
      const [, rows, read] = JSON.parse(reply as string) as [unknown, { id: string }[] | object, number];
      const ids = Array.isArray(rows) ? (rows as { id: string }[]).map((row) => row.id) : [];
      return { ids, read };
    }

    it('a page of a rare task, queue or pair, with or without a state, reads a few entries', async () => {
      const all = await everyJob(backend);
      assert.equal(all.length, COMMON + 8);
      for (const filter of FILTERS) {
        const expected = matches(all, filter);
        const page = await backend.list(filter);
        assert.deepEqual(
          page.jobs.map((each) => each.id),
          expected.slice(0, filter.limit).map((each) => each.id),
          JSON.stringify(filter),
        );
        // Each later page too, from the cursor, as the dashboard pages.
        let cursor = page.next;
        let seen = page.jobs.length;
        while (cursor !== null) {
          const next = await backend.list({ ...filter, before: cursor });
          seen += next.jobs.length;
          const { read } = await listScript(filter, cursor);
          // At most one zset per state of the one pair, 10 entries each at first (the rare
          // filters match one pair), plus one refill: never the 5,000 jobs between two matches.
          assert.ok(
            read <= 6 * 10 + filter.limit + 1,
            `${JSON.stringify(filter)} from ${cursor}: read ${read}`,
          );
          cursor = next.next;
        }
        assert.equal(seen, expected.length, `${JSON.stringify(filter)}: every match, page by page`);
        const { ids, read } = await listScript(filter);
        assert.deepEqual(
          ids,
          expected.slice(0, filter.limit + 1).map((each) => each.id),
        );
        assert.ok(read <= 6 * 10 + filter.limit + 1, `${JSON.stringify(filter)}: read ${read}`);
      }
    });

    it('a page of the common task reads about a page of entries', async () => {
      for (const state of [undefined, 'queued'] as (JobState | undefined)[]) {
        const filter = { task: 'common', queue: 'default', limit: 50, ...(state ? { state } : {}) };
        const { ids, read } = await listScript(filter);
        assert.equal(ids.length, 51);
        // The top bucket twice (first FIRST ids, then the refill) and the one below: of 20,000.
        assert.ok(read <= 3 * ID_BUCKET, `${JSON.stringify(filter)}: read ${read}`);
      }
    });

    it('a store written before the id sets gets them at init', async () => {
      const all = await everyJob(backend);
      const pages = await Promise.all(FILTERS.map((filter) => backend.list(filter)));
      // What errand wrote before: zsets state:<state> (running left out) and list:<pair>:<state>,
      // both scored by id, and list-index; no id sets, no id-index.
      const tag = `{${prefix}}:`;
      const member = (id: string) => String.fromCharCode(96 + id.length) + id;
      const write = client.pipeline();
      for (const job of all) {
        const pair = await client.hget(`${tag}job:${job.id}`, 'pair');
        if (job.state !== 'running') write.zadd(`${tag}state:${job.state}`, job.id, member(job.id));
        write.zadd(`${tag}list:${pair}:${job.state}`, job.id, member(job.id));
      }
      write.set(`${tag}list-index`, 'built');
      await write.exec();
      const idSets = await client.keys(`${tag}by-*`);
      assert.ok(idSets.length > 0);
      await client.unlink(...idSets, `${tag}id-index`);
      const upgraded = redisBackend({ url: REDIS_URL, prefix, logger: silentLogger });
      await upgraded.init();
      try {
        assert.equal(await client.get(`${tag}id-index`), 'built');
        assert.deepEqual(await everyJob(upgraded), all);
        for (const [i, filter] of FILTERS.entries()) {
          assert.deepEqual(await upgraded.list(filter), pages[i], JSON.stringify(filter));
        }
        // Every job is in one by-pair id set: 20,008 entries in all; the old zsets are gone.
        let entries = 0;
        for (const key of await client.keys(`${tag}by-pair:*`)) {
          if ((await client.type(key)) === 'set') entries += await client.scard(key);
        }
        assert.equal(entries, all.length);
        assert.deepEqual(await client.keys(`${tag}state:*`), []);
        assert.deepEqual(await client.keys(`${tag}list*`), []);
      } finally {
        await upgraded.close();
      }
    });
  },
);
