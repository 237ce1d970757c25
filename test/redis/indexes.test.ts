// The Redis backend against the memory backend, step by step: the same random operations on both
// must give the same answers, and after each step every Redis index must agree with the job hashes
// (no job missing from its index, no stale entry, counts right).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Backend, JobRecord, JobState, JobTransition, NewJob, StateCount } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { redisBackend } from '@errand/redis';
import { Redis } from 'ioredis';

import { skipUnlessReachable } from '../support/services.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

const STEPS = 400;
const TASKS = ['a', 'b', 'c'];
const QUEUES = ['q1', 'q2'];
const KEYS = ['k1', 'k2', 'k3'];
const STATES: JobState[] = ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];
const LONG = `"${'x'.repeat(100)}"`;
/** Ids per bucket of an id set (common.lua's ID_BUCKET). */
const ID_BUCKET = 128;

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function byGroup(counts: readonly StateCount[]): StateCount[] {
  const key = (count: StateCount) => `${count.queue}/${count.task}/${count.state}`;
  return [...counts].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Reads every key under the prefix and checks the indexes against the job hashes. */
async function checkIndexes(client: Redis, tag: string): Promise<void> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${tag}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const jobs = new Map<string, Record<string, string>>();
  for (const key of keys) {
    const match = new RegExp(`^${tag.replace(/[{}]/g, '\\$&')}job:(\\d+)$`).exec(key);
    if (match) jobs.set(match[1]!, await client.hgetall(key));
  }
  const zsets = new Map<string, Map<string, number>>();
  const uniqueSets = new Map<string, Set<string>>();
  // The id sets: their ids gathered from the buckets, each checked against its bucket's number.
  const idSets = new Map<string, Set<string>>();
  const buckets = new Map<string, Set<string>>();
  for (const key of keys) {
    const name = key.slice(tag.length);
    if ((await client.type(key)) !== 'set' || name === 'paused') continue;
    const match = /^(by-(?:state|pair):.+):(\d+)$/.exec(name);
    assert.ok(match, `${name}: a set that is neither \`paused\` nor an id set's bucket`);
    const [, idSet, bucket] = match;
    if (!idSets.has(idSet!)) idSets.set(idSet!, new Set());
    if (!buckets.has(idSet!)) buckets.set(idSet!, new Set());
    buckets.get(idSet!)!.add(bucket!);
    for (const id of await client.smembers(key)) {
      assert.equal(Math.floor(Number(id) / ID_BUCKET), Number(bucket), `${name} holds ${id}`);
      idSets.get(idSet!)!.add(id);
    }
  }
  for (const key of keys) {
    if ((await client.type(key)) !== 'zset') continue;
    const name = key.slice(tag.length);
    if (name.startsWith('by-')) {
      // An id set's zset lists exactly its buckets that hold ids, scored by their number.
      const flat = await client.zrange(key, '0', '-1', 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2)
        assert.equal(flat[i], flat[i + 1], `${name}: bucket ${flat[i]}`);
      const listed = flat.filter((_, i) => i % 2 === 0).sort();
      assert.deepEqual(listed, [...(buckets.get(name) ?? [])].sort(), `${name} lists its buckets`);
      buckets.delete(name);
      continue;
    }
    // Checked on their own below: the starts of rate limits, and the candidates for unique holder.
    if (name.startsWith('rate:')) continue;
    if (name.startsWith('unique:')) {
      uniqueSets.set(name.slice('unique:'.length), new Set(await client.zrange(key, '0', '-1')));
      continue;
    }
    const flat = await client.zrange(key, '0', '-1', 'WITHSCORES');
    const members = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) members.set(flat[i]!, Number(flat[i + 1]));
    zsets.set(key.slice(tag.length), members);
  }
  assert.deepEqual([...buckets.keys()], [], 'every id set has its zset of buckets');
  const member = (id: string) => String.fromCharCode(96 + id.length) + id;
  const expectedIds = new Map<string, Set<string>>();
  const expectId = (idSet: string, id: string) => {
    if (!expectedIds.has(idSet)) expectedIds.set(idSet, new Set());
    expectedIds.get(idSet)!.add(id);
  };
  const expected = new Map<string, Map<string, number>>();
  const expect = (key: string, m: string, score: number) => {
    if (!expected.has(key)) expected.set(key, new Map());
    expected.get(key)!.set(m, score);
  };
  const counts = new Map<string, number>();
  const runningPerKey = new Map<string, number>();
  for (const [id, job] of jobs) {
    const m = member(id);
    const state = job.state!;
    if (state === 'running' && job.concurrencyKey !== undefined) {
      runningPerKey.set(job.concurrencyKey, (runningPerKey.get(job.concurrencyKey) ?? 0) + 1);
    }
    if (state !== 'running')
      assert.equal(job.cancelRequested, undefined, `job ${id}: a cancel request outside running`);
    // A unique job is a candidate under its key until its uniqueUntil has passed (then it may be dropped).
    if (job.uniqueKey !== undefined && job.uniqueUntil === undefined) {
      assert.ok(uniqueSets.get(job.uniqueKey)?.has(m), `job ${id}: missing from unique:${job.uniqueKey}`);
    }
    // Running jobs are in `leases`, not in a by-state id set; every job is in its pair's id set.
    if (state !== 'running') expectId(`by-state:${state}`, id);
    expectId(`by-pair:${job.pair}:${state}`, id);
    counts.set(`${job.pair}:${state}`, (counts.get(`${job.pair}:${state}`) ?? 0) + 1);
    const ready = `ready:${job.pair}:${job.priority}`;
    if (state === 'queued' || (state === 'scheduled' && zsets.get(ready)?.has(m))) {
      expect(ready, m, Number(job.runAt));
      expect(`levels:${job.pair}`, job.priority!, Number(job.priority));
    } else if (state === 'scheduled') {
      expect('delayed', m, Number(job.runAt));
    } else if (state === 'running') {
      expect('leases', m, Number(job.leaseUntil));
    } else if (job.finishedAt !== undefined) {
      expect('finished', m, Number(job.finishedAt));
    }
    for (const flag of job.ext ?? '') {
      const field = { p: 'payload', r: 'result', e: 'errors', g: 'progress' }[flag]!;
      assert.equal(job[field], undefined, `job ${id}: ${field} is both inline and in its own key`);
    }
  }
  const asObject = (map: Map<string, Map<string, number>>) =>
    Object.fromEntries(
      [...map]
        .filter(([, members]) => members.size > 0)
        .map(([key, members]) => [key, Object.fromEntries(members)]),
    );
  assert.deepEqual(asObject(zsets), asObject(expected), 'every zset holds exactly the jobs of its index');
  const sorted = (map: Map<string, Set<string>>) =>
    Object.fromEntries([...map].map(([idSet, ids]) => [idSet, [...ids].sort()]));
  assert.deepEqual(sorted(idSets), sorted(expectedIds), 'every id set holds exactly the jobs of its index');
  const storedCounts = await client.hgetall(`${tag}counts`);
  assert.deepEqual(
    Object.fromEntries(Object.entries(storedCounts).map(([field, value]) => [field, Number(value)])),
    Object.fromEntries(counts),
    'counts match the jobs',
  );
  const storedRunning = await client.hgetall(`${tag}running-per-key`);
  assert.deepEqual(
    Object.fromEntries(Object.entries(storedRunning).map(([field, value]) => [field, Number(value)])),
    Object.fromEntries(runningPerKey),
    'running-per-key matches the running jobs',
  );
  for (const [key, members] of uniqueSets) {
    for (const m of members) {
      assert.equal(jobs.get(m.slice(1))?.uniqueKey, key, `unique:${key} holds ${m}, not a job with that key`);
    }
  }
}

describe('redis: indexes against the memory backend', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  for (const seed of [1, 2]) {
    it(`agree over ${STEPS} random steps (seed ${seed})`, { timeout: 60_000 }, async () => {
      const prefix = testPrefix();
      const redis = redisBackend({ url: REDIS_URL, prefix, logger: silentLogger });
      const memory = memoryBackend();
      const inspector = new Redis(REDIS_URL);
      await Promise.all([redis.init(), memory.init()]);
      try {
        const rand = random(seed);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
        const some = <T>(items: readonly T[]): T[] => items.filter(() => rand() < 0.5);
        let now = 1_000_000;
        let leases = 0;
        const reached = new Set<JobState>();
        const both = async <T>(step: string, run: (backend: Backend) => Promise<T>): Promise<T> => {
          const [fromRedis, fromMemory] = await Promise.all([run(redis), run(memory)]);
          assert.deepEqual(fromRedis, fromMemory, `step ${step}: redis and memory answer alike`);
          return fromRedis;
        };
        const jobsIn = async (state: JobState): Promise<JobRecord[]> =>
          (await memory.list({ state, limit: 1000 })).jobs;

        for (let step = 0; step < STEPS; step++) {
          now += Math.floor(rand() * 400);
          // Besides the main action: now and then a queue paused or resumed, or a cancel request.
          const extra = rand();
          if (extra < 0.05) {
            const queue = pick(QUEUES);
            const paused = rand() < 0.3;
            await both(`${step} pause`, (backend) => backend.setQueuePaused(queue, paused));
            await both(`${step} pause`, (backend) => backend.pausedQueues());
          } else if (extra < 0.1) {
            const running = await jobsIn('running');
            if (running.length > 0) {
              const job = pick(running);
              await both(`${step} cancel`, (backend) => backend.requestCancel(job.id));
              await both(`${step} cancel`, (backend) =>
                backend.cancelRequested(running.map((each) => each.id)),
              );
            }
          } else if (extra < 0.14) {
            // A delete from some states (running included: the running-per-key count must follow).
            const all = (await memory.list({ limit: 10_000 })).jobs;
            if (all.length > 0) {
              const job = pick(all);
              const from = some([
                'scheduled',
                'queued',
                'running',
                'succeeded',
                'failed',
                'cancelled',
              ] as const);
              await both(`${step} delete`, (backend) => backend.deleteJob(job.id, from));
            }
          }
          const action = rand();
          const label = `${step} (${action.toFixed(2)})`;
          if (action < 0.25) {
            const batch: NewJob[] = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
              const later = rand() < 0.3;
              const runAt = now + Math.floor(rand() * 2_000) - (later ? 0 : 1_000);
              return {
                task: pick(TASKS),
                queue: pick(QUEUES),
                state: later ? 'scheduled' : 'queued',
                priority: pick([-1, 0, 0, 1, 5]),
                payload: rand() < 0.3 ? LONG : '{"n":1}',
                maxAttempts: 3,
                runAt,
                createdAt: now,
                concurrencyKey: rand() < 0.5 ? pick(KEYS) : null,
              };
            });
            if (rand() < 0.3) {
              const unique = {
                ...batch[0]!,
                uniqueKey: pick(['u1', 'u2']),
                uniqueStates: some<JobState>(['scheduled', 'queued', 'running', 'succeeded']),
                uniqueUntil: rand() < 0.5 ? null : now + Math.floor(rand() * 2_000),
              };
              await both(label, (backend) => backend.insertUnique(unique, { now }));
            } else {
              await both(label, (backend) => backend.insert(batch));
            }
          } else if (action < 0.45) {
            const tasks = some(TASKS);
            const queues = rand() < 0.5 ? null : some(QUEUES);
            const leaseToken = `lease-${++leases}`;
            const request = {
              tasks,
              queues,
              limit: 1 + Math.floor(rand() * 5),
              workerId: 'w',
              leaseToken,
              leaseUntil: now + 1_000,
              now,
              ...(rand() < 0.3 ? { excludeQueues: some(QUEUES) } : {}),
              ...(rand() < 0.3 ? { rate: { key: 'r', max: 4, periodMs: 1_000 } } : {}),
              ...(rand() < 0.4 ? { concurrency: { max: pick([1, 2]) } } : {}),
            };
            await both(label, (backend) => backend.claim(request));
          } else if (action < 0.7) {
            const running = await jobsIn('running');
            if (running.length === 0) continue;
            const job = pick(running);
            const stale = rand() < 0.1;
            const base = {
              id: job.id,
              from: ['running'] as JobState[],
              leaseToken: stale ? 'stale' : job.leaseToken!,
            };
            const change: JobTransition = pick<JobTransition>([
              { ...base, to: 'succeeded', result: rand() < 0.5 ? LONG : '1', finishedAt: now },
              {
                ...base,
                to: 'scheduled',
                errors: rand() < 0.5 ? `[${LONG}]` : '[]',
                runAt: now + Math.floor(rand() * 1_000),
              },
              { ...base, to: 'failed', errors: `[${LONG}]`, finishedAt: now },
              { ...base, to: 'cancelled', finishedAt: rand() < 0.5 ? now : undefined },
              { ...base, to: 'queued', attempt: Math.max(0, job.attempt - 1), runAt: now, startedAt: null },
            ]);
            await both(label, (backend) => backend.transition([change]));
          } else if (action < 0.78) {
            const waiting = [...(await jobsIn('queued')), ...(await jobsIn('scheduled'))];
            if (waiting.length === 0) continue;
            const job = pick(waiting);
            await both(label, (backend) =>
              backend.transition([
                { id: job.id, from: ['queued', 'scheduled'], to: 'cancelled', finishedAt: now },
              ]),
            );
          } else if (action < 0.84) {
            const done = [...(await jobsIn('failed')), ...(await jobsIn('cancelled'))];
            if (done.length === 0) continue;
            const job = pick(done);
            await both(label, (backend) =>
              backend.transition([{ id: job.id, from: ['failed', 'cancelled'], to: 'queued', runAt: now }]),
            );
          } else if (action < 0.88) {
            const running = await jobsIn('running');
            const chosen = some(running).map((job) => ({
              id: job.id,
              leaseToken: rand() < 0.9 ? job.leaseToken! : 'x',
            }));
            await both(label, async (backend) => (await backend.renewLeases(chosen, now + 1_500)).sort());
          } else if (action < 0.92) {
            const running = await jobsIn('running');
            if (running.length === 0) continue;
            const job = pick(running);
            const progress = rand() < 0.5 ? LONG : '{"p":1}';
            await both(label, (backend) => backend.recordProgress(job.id, job.leaseToken!, progress));
          } else if (action < 0.97) {
            const expired = await both(label, (backend) => backend.findExpired({ now, limit: 5 }));
            const rescues: JobTransition[] = expired.map((job) => ({
              id: job.id,
              from: ['running'],
              leaseToken: job.leaseToken!,
              leaseExpiredBefore: now,
              to: 'scheduled',
              runAt: now,
              errors: `[${LONG}]`,
            }));
            await both(label, (backend) => backend.transition(rescues));
          } else {
            await both(label, (backend) => backend.prune({ before: now - 500, limit: 1_000 }));
          }

          const all = await memory.list({ limit: 10_000 });
          assert.deepEqual((await redis.list({ limit: 10_000 })).jobs, all.jobs, `step ${label}: every job`);
          // list() with a random filter, a page at a time from a random cursor, as the dashboard pages.
          const filter = {
            ...(rand() < 0.5 ? { state: pick(STATES) } : {}),
            ...(rand() < 0.6 ? { task: pick([...TASKS, 'none']) } : {}),
            ...(rand() < 0.6 ? { queue: pick([...QUEUES, 'none']) } : {}),
            ...(rand() < 0.3 && all.jobs.length > 0 ? { before: pick(all.jobs).id } : {}),
            limit: 1 + Math.floor(rand() * 4),
          };
          await both(`${label} list ${JSON.stringify(filter)}`, (backend) => backend.list(filter));
          const sample = all.jobs.length > 0 ? pick(all.jobs) : undefined;
          if (sample) assert.deepEqual(await redis.get(sample.id), sample, `step ${label}: get ${sample.id}`);
          const window = { since: now - 5_000, until: now + 1, bucketMs: 1_000 };
          const finished = async (backend: Backend) =>
            (await backend.finishedCounts(window)).sort(
              (a, b) =>
                a.bucket - b.bucket || a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state),
            );
          assert.deepEqual(await finished(redis), await finished(memory), `step ${label}: finishedCounts`);
          const stats = byGroup(await memory.stats());
          assert.deepEqual(byGroup(await redis.stats()), stats, `step ${label}: stats`);
          for (const group of stats) reached.add(group.state);
          if (step % 20 === 0) await checkIndexes(inspector, redis.keyPrefix);
        }
        await checkIndexes(inspector, redis.keyPrefix);
        assert.ok(reached.size >= 6, `the steps reach most states: ${[...reached].join(', ')}`);
        for (const filter of [
          { state: 'queued' as const },
          { task: 'a', queue: 'q2' },
          { state: 'succeeded' as const, task: 'b' },
        ]) {
          await both(`list ${JSON.stringify(filter)}`, (backend) => backend.list({ ...filter, limit: 3 }));
        }
      } finally {
        inspector.disconnect();
        await redis.close();
        await deletePrefix(prefix);
      }
    });
  }
});
