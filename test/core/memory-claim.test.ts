/**
 * The memory backend's claim path: its cost does not grow with the number of
 * waiting jobs (packages/core/src/memory/due-index.ts), and the jobs a claim
 * passes over stay claimable. The contract suite checks claim()'s guarantees;
 * here a random run checks them against the plain filter-and-sort they replace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, ClaimRequest, JobRecord } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { DueIndex, type DueFilter } from '../../packages/core/src/memory/due-index.ts';
import { claimRequest as contractClaimRequest, newJob, NOW } from '../contract/helpers.ts';

/** Claims of 100, the size a worker at concurrency 100 makes. */
function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return contractClaimRequest({ limit: 100, ...overrides });
}

/** A stored job as the index sees it. */
function record(id: number, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: String(id),
    task: 'send-email',
    queue: 'default',
    state: 'queued',
    priority: 0,
    payload: '{}',
    result: null,
    progress: null,
    errors: '[]',
    attempt: 0,
    maxAttempts: 3,
    runAt: NOW,
    createdAt: NOW,
    startedAt: null,
    finishedAt: null,
    leaseToken: null,
    leaseUntil: null,
    workerId: null,
    uniqueKey: null,
    concurrencyKey: null,
    cancelRequested: false,
    ...overrides,
  };
}

const everyQueue: DueFilter = { tasks: ['send-email'], queues: null, excluded: new Set(), now: NOW };

/** Takes every job offered, the way the backend's claim does. */
function takeAll(job: JobRecord): boolean {
  job.state = 'running';
  return true;
}

/** An index holding `count` queued send-email jobs (ids 1 to count), and whatever `extra` adds. */
function indexOf(count: number, extra: (index: DueIndex) => void = () => {}): DueIndex {
  const index = new DueIndex();
  for (let n = 0; n < count; n++) index.add(record(n + 1));
  extra(index);
  return index;
}

/** The comparisons one claim of 100 makes. */
function claimWork(index: DueIndex, filter: DueFilter = everyQueue): number {
  const before = index.comparisons;
  assert.equal(index.select(filter, 100, takeAll).length, 100);
  return index.comparisons - before;
}

describe('the memory claim path stays flat', () => {
  it('a claim of 100 among 200,000 waiting jobs does about the work of one among 1,000', () => {
    const small = claimWork(indexOf(1_000));
    const large = claimWork(indexOf(200_000));
    // A heap pop costs about 2 log2(n) comparisons: 17.6 levels against 10. A scan would be 200 times the work.
    assert.ok(large < 2.5 * small, `${large} comparisons with 200,000 waiting, ${small} with 1,000`);
    assert.ok(large < 100 * 2 * 18 * 1.5, `${large} comparisons for 100 jobs`);
  });

  it('jobs of other tasks, other queues and paused queues cost a claim nothing', () => {
    const alone = claimWork(indexOf(1_000));
    let id = 1_000;
    const crowded = indexOf(1_000, (index) => {
      // All of them first in claim order, had they been in the same heap.
      for (let n = 0; n < 100_000; n++) index.add(record(++id, { task: 'resize-image', priority: -1 }));
      for (let n = 0; n < 100_000; n++) index.add(record(++id, { queue: 'paused', priority: -1 }));
    });
    const work = claimWork(crowded, { ...everyQueue, excluded: new Set(['paused']) });
    assert.ok(work <= alone, `${work} comparisons with 200,000 jobs of other groups, ${alone} without`);
  });

  it('compact() drops the entries of jobs that left queued and scheduled, or whose runAt changed', () => {
    const jobs = Array.from({ length: 10 }, (_, n) =>
      record(n + 1, { state: n < 5 ? 'queued' : 'scheduled' }),
    );
    const index = new DueIndex();
    for (const job of jobs) index.add(job);
    jobs[0]!.state = 'cancelled';
    jobs[5]!.state = 'running';
    jobs[6]!.runAt = NOW + 1;
    index.compact();
    assert.equal(index.size, 7);
    const taken = index.select(everyQueue, 100, takeAll);
    assert.deepEqual(ids(taken), ['2', '3', '4', '5', '8', '9', '10']);
  });

  it('the whole backend claim stays flat too (timed: the best of 10 claims, with a generous bound)', async () => {
    const bestClaimMs = async (waiting: number): Promise<number> => {
      const backend = memoryBackend();
      for (let start = 0; start < waiting; start += 10_000) {
        await backend.insert(Array.from({ length: Math.min(10_000, waiting - start) }, () => newJob()));
      }
      let best = Infinity;
      for (let n = 0; n < 10; n++) {
        const started = performance.now();
        const claimed = await backend.claim(claimRequest({ leaseToken: `lease-${n}` }));
        best = Math.min(best, performance.now() - started);
        assert.equal(claimed.length, 100);
      }
      return best;
    };
    const small = await bestClaimMs(1_000);
    const large = await bestClaimMs(200_000);
    // Cache misses make the large store a few times slower per claim; a scan and sort is hundreds of times.
    assert.ok(
      large < 25 * small + 1,
      `best claim ${large.toFixed(3)} ms at 200,000, ${small.toFixed(3)} ms at 1,000`,
    );
  });
});

describe('jobs a memory claim passes over stay claimable', () => {
  it('jobs of a task the worker does not run are claimed by a claim for that task, in order', async () => {
    const backend = memoryBackend();
    const others = await backend.insert(
      Array.from({ length: 300 }, (_, n) => newJob({ task: 'resize-image', priority: -1, runAt: NOW - n })),
    );
    const mine = await backend.insert(Array.from({ length: 50 }, () => newJob()));
    assert.deepEqual(ids(await backend.claim(claimRequest())), mine);
    const claimed = await backend.claim(claimRequest({ tasks: ['resize-image'], limit: 1_000 }));
    assert.deepEqual(ids(claimed), [...others].reverse(), 'by runAt, earliest first');
  });

  it('jobs passed over for their concurrency key are claimed once a slot frees, in order', async () => {
    const backend = memoryBackend();
    const keyed = await backend.insert(
      Array.from({ length: 500 }, () => newJob({ priority: -1, concurrencyKey: 'customer:1' })),
    );
    const plain = await backend.insert(Array.from({ length: 20 }, () => newJob()));
    const first = await backend.claim(claimRequest({ limit: 10, concurrency: { max: 1 } }));
    assert.deepEqual(ids(first), [keyed[0], ...plain.slice(0, 9)]);
    await backend.transition([
      { id: keyed[0]!, from: ['running'], leaseToken: 'lease-1', to: 'succeeded', finishedAt: NOW },
    ]);
    const second = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', limit: 10, concurrency: { max: 1 } }),
    );
    assert.deepEqual(ids(second), [keyed[1], ...plain.slice(9, 18)]);
    const rest = await backend.claim(claimRequest({ leaseToken: 'lease-3', limit: 1_000 }));
    assert.deepEqual(ids(rest), [...keyed.slice(2), ...plain.slice(18)]);
  });

  it('a claim with an older now leaves a scheduled job a later claim found due, for the claims after it', async () => {
    const backend = memoryBackend();
    await backend.insert([newJob({ task: 'export', concurrencyKey: 'customer:1' })]);
    await backend.claim(claimRequest({ tasks: ['export'] }));
    const [later = ''] = await backend.insert([
      newJob({ state: 'scheduled', runAt: NOW + 500, concurrencyKey: 'customer:1' }),
    ]);
    // A claim at NOW + 500 finds the job due but passes over it for its key; one at NOW must not take it.
    const request = claimRequest({ leaseToken: 'lease-2', now: NOW + 500, concurrency: { max: 1 } });
    assert.deepEqual(await backend.claim(request), []);
    assert.deepEqual(await backend.claim(claimRequest({ leaseToken: 'lease-3', now: NOW })), []);
    const claimed = await backend.claim(claimRequest({ leaseToken: 'lease-4', now: NOW + 500 }));
    assert.deepEqual(ids(claimed), [later]);
  });

  it('claims agree with a filter and sort of every job through a random run of inserts, claims and transitions', async () => {
    const random = seeded(6);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const backend = memoryBackend();
    const tasks = ['a', 'b', 'c'];
    const queues = ['q1', 'q2', 'q3'];
    const keys = [null, null, 'k1', 'k2'];
    for (let step = 0; step < 1_500; step++) {
      // Claimers read the clock before they reach the store: now goes back and forth a little.
      const now = NOW + step * 10 + Math.floor(random() * 200) - 100;
      const roll = random();
      if (roll < 0.3) {
        await backend.insert(
          Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
            newJob({
              task: pick(tasks),
              queue: pick(queues),
              state: random() < 0.5 ? 'queued' : 'scheduled',
              priority: Math.floor(random() * 3),
              runAt: now + Math.floor(random() * 200) - 100,
              concurrencyKey: pick(keys),
            }),
          ),
        );
      } else if (roll < 0.6) {
        const request = claimRequest({
          tasks: tasks.filter(() => random() < 0.6),
          queues: random() < 0.5 ? null : queues.filter(() => random() < 0.6),
          excludeQueues: random() < 0.2 ? [pick(queues)] : [],
          limit: 1 + Math.floor(random() * 6),
          leaseToken: `lease-${step}`,
          now,
          ...(random() < 0.4 && { concurrency: { max: 1 + Math.floor(random() * 2) } }),
        });
        const expected = await referenceClaim(backend, request);
        assert.deepEqual(ids(await backend.claim(request)), expected, `step ${step}`);
      } else if (roll < 0.65) {
        await backend.setQueuePaused(pick(queues), random() < 0.5);
      } else {
        const { jobs } = await backend.list({ limit: 10_000 });
        const job = jobs.length > 0 ? pick(jobs) : undefined;
        if (job !== undefined) await backend.transition([randomChange(job, now, random)]);
      }
    }
  });
});

function ids(jobs: readonly JobRecord[]): string[] {
  return jobs.map((job) => job.id);
}

/** What claim() must take, by the plain filter and sort the index replaced. */
async function referenceClaim(backend: Backend, request: ClaimRequest): Promise<string[]> {
  const { jobs } = await backend.list({ limit: 100_000 });
  const excluded = new Set([...(await backend.pausedQueues()), ...(request.excludeQueues ?? [])]);
  const running = new Map<string, number>();
  for (const job of jobs) {
    if (job.state === 'running' && job.concurrencyKey !== null) {
      running.set(job.concurrencyKey, (running.get(job.concurrencyKey) ?? 0) + 1);
    }
  }
  const due = jobs
    .filter(
      (job) =>
        (job.state === 'queued' || (job.state === 'scheduled' && job.runAt <= request.now)) &&
        request.tasks.includes(job.task) &&
        (request.queues === null || request.queues.includes(job.queue)) &&
        !excluded.has(job.queue),
    )
    .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || Number(a.id) - Number(b.id));
  const taken: string[] = [];
  for (const job of due) {
    if (taken.length >= request.limit) break;
    const key = job.concurrencyKey;
    if (request.concurrency !== undefined && key !== null) {
      if ((running.get(key) ?? 0) >= request.concurrency.max) continue;
      running.set(key, (running.get(key) ?? 0) + 1);
    }
    taken.push(job.id);
  }
  return taken;
}

/** A change the core could make to this job: finish, retry later, hand back, cancel, retry by hand, rescue. */
function randomChange(
  job: JobRecord,
  now: number,
  random: () => number,
): Parameters<Backend['transition']>[0][number] {
  const later = now + Math.floor(random() * 300) - 50;
  switch (job.state) {
    case 'running': {
      const to = (['succeeded', 'scheduled', 'queued', 'failed', 'cancelled'] as const)[
        Math.floor(random() * 5)
      ]!;
      return {
        id: job.id,
        from: ['running'],
        leaseToken: job.leaseToken ?? undefined,
        to,
        ...(to === 'scheduled' || to === 'queued' ? { runAt: later } : { finishedAt: now }),
      };
    }
    case 'queued':
    case 'scheduled':
      return random() < 0.5
        ? { id: job.id, from: [job.state], to: 'cancelled', finishedAt: now }
        : { id: job.id, from: [job.state], to: random() < 0.5 ? 'queued' : 'scheduled', runAt: later };
    default:
      return { id: job.id, from: [job.state], to: 'queued', runAt: later, attempt: 0 };
  }
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
