import assert from 'node:assert/strict';

import type { ClaimRequest, JobRecord } from '@errand/core';

import {
  claimRequest,
  finishJob,
  ids,
  mustGet,
  newJob,
  NOW,
  SECOND,
  sortedById,
  startJob,
  type ContractTest,
} from '../helpers.ts';

/** A limit of `max` job starts per second under the key `mail`. */
function perSecond(max: number): NonNullable<ClaimRequest['rate']> {
  return { key: 'mail', max, periodMs: SECOND };
}

/** How many claimed jobs have each concurrencyKey. */
function perKey(jobs: readonly JobRecord[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const job of jobs) counts.set(job.concurrencyKey, (counts.get(job.concurrencyKey) ?? 0) + 1);
  return counts;
}

export function claimLimitCases(test: ContractTest): void {
  excludeQueueCases(test);
  rateCases(test);
  concurrencyCases(test);
}

function excludeQueueCases(test: ContractTest): void {
  test('claim takes no job from excludeQueues', async (backend) => {
    const [, media = '', urgent = ''] = await backend.insert([
      newJob({ queue: 'mail' }),
      newJob({ queue: 'media' }),
      newJob({ queue: 'urgent' }),
    ]);
    const claimed = await backend.claim(claimRequest({ excludeQueues: ['mail'] }));
    assert.deepEqual(sortedById(ids(claimed)), [media, urgent]);
  });

  test('a queue both in queues and in excludeQueues is excluded', async (backend) => {
    const [, media = ''] = await backend.insert([newJob({ queue: 'mail' }), newJob({ queue: 'media' })]);
    const claimed = await backend.claim(claimRequest({ queues: ['mail', 'media'], excludeQueues: ['mail'] }));
    assert.deepEqual(ids(claimed), [media]);
  });

  test('an empty excludeQueues excludes nothing', async (backend) => {
    const all = await backend.insert([newJob({ queue: 'mail' }), newJob({ queue: 'media' })]);
    assert.deepEqual(sortedById(ids(await backend.claim(claimRequest({ excludeQueues: [] })))), all);
  });

  test('a claim with a rate or concurrency limit honours excludeQueues too', async (backend) => {
    const [, media = ''] = await backend.insert([
      newJob({ queue: 'mail', concurrencyKey: 'customer:1' }),
      newJob({ queue: 'media', concurrencyKey: 'customer:2' }),
    ]);
    const claimed = await backend.claim(
      claimRequest({ excludeQueues: ['mail'], rate: perSecond(10), concurrency: { max: 5 } }),
    );
    assert.deepEqual(ids(claimed), [media]);
  });
}

function rateCases(test: ContractTest): void {
  test('a rate-limited claim takes at most max jobs', async (backend) => {
    const all = await backend.insert(Array.from({ length: 8 }, () => newJob()));
    const claimed = await backend.claim(claimRequest({ limit: 10, rate: perSecond(3) }));
    assert.deepEqual(ids(claimed), all.slice(0, 3), 'the first three in claim order');
  });

  test('a rate-limited claim takes at most limit jobs when the rate allows more', async (backend) => {
    await backend.insert(Array.from({ length: 8 }, () => newJob()));
    assert.equal((await backend.claim(claimRequest({ limit: 2, rate: perSecond(5) }))).length, 2);
  });

  test('a rate-limited claim marks its jobs running under its lease like any claim', async (backend) => {
    const [id = ''] = await backend.insert([newJob()]);
    const before = await mustGet(backend, id);
    const [claimed] = await backend.claim(
      claimRequest({
        workerId: 'worker-7',
        leaseToken: 'token-a',
        rate: perSecond(3),
        concurrency: { max: 1 },
      }),
    );
    assert.deepEqual(claimed, {
      ...before,
      state: 'running',
      attempt: 1,
      startedAt: NOW,
      leaseToken: 'token-a',
      leaseUntil: NOW + 30 * SECOND,
      workerId: 'worker-7',
    });
    assert.deepEqual(await mustGet(backend, id), claimed);
  });

  test('claims with one rate key share its limit within the period', async (backend) => {
    await backend.insert(Array.from({ length: 10 }, () => newJob()));
    const first = await backend.claim(claimRequest({ limit: 3, rate: perSecond(5) }));
    const second = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', now: NOW + 500, rate: perSecond(5) }),
    );
    const third = await backend.claim(
      claimRequest({ leaseToken: 'lease-3', now: NOW + 999, rate: perSecond(5) }),
    );
    assert.deepEqual([first.length, second.length, third.length], [3, 2, 0]);
  });

  test('starts stop counting once periodMs has passed: a start counts while it is after now - periodMs', async (backend) => {
    await backend.insert(Array.from({ length: 20 }, () => newJob()));
    assert.equal((await backend.claim(claimRequest({ rate: perSecond(5) }))).length, 5);
    const justBefore = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', now: NOW + SECOND - 1, rate: perSecond(5) }),
    );
    assert.equal(justBefore.length, 0, 'a start at now - periodMs + 1 still counts');
    const atTheEnd = await backend.claim(
      claimRequest({ leaseToken: 'lease-3', now: NOW + SECOND, rate: perSecond(5) }),
    );
    assert.equal(atTheEnd.length, 5, 'a start at now - periodMs no longer counts');
  });

  // Claimers read `now` before they reach the store, so a claim may arrive after another whose `now` is later.
  test('a claim whose now is older than a claim already made still counts the starts of that claim', async (backend) => {
    await backend.insert(Array.from({ length: 20 }, () => newJob()));
    const later = await backend.claim(claimRequest({ now: NOW + 500, rate: perSecond(5) }));
    const older = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', now: NOW + 400, rate: perSecond(5) }),
    );
    assert.deepEqual([later.length, older.length], [5, 0], 'both would start in (NOW - 600, NOW + 400]');
  });

  test('a later claim does not forget starts that a claim with an older now still counts', async (backend) => {
    await backend.insert(Array.from({ length: 20 }, () => newJob()));
    const at = async (now: number, limit: number): Promise<number> =>
      (await backend.claim(claimRequest({ leaseToken: `lease-${now}`, now, limit, rate: perSecond(5) })))
        .length;
    assert.equal(await at(NOW, 3), 3);
    assert.equal(await at(NOW + SECOND + 5, 1), 1, 'the starts at NOW are out of its window');
    assert.equal(await at(NOW + SECOND - 1, 10), 1, 'in (NOW - 1, NOW + 999]: 3 at NOW, 1 after');
  });

  test('a rolling window: each start frees its slot periodMs after it', async (backend) => {
    await backend.insert(Array.from({ length: 20 }, () => newJob()));
    const at = async (now: number, limit: number): Promise<number> =>
      (await backend.claim(claimRequest({ leaseToken: `lease-${now}`, now, limit, rate: perSecond(4) })))
        .length;
    assert.equal(await at(NOW, 3), 3);
    assert.equal(await at(NOW + 600, 10), 1);
    assert.equal(await at(NOW + 1_000, 10), 3, 'the three starts at NOW are out; the one at NOW + 600 is in');
    assert.equal(await at(NOW + 1_599, 10), 0);
    assert.equal(await at(NOW + 1_600, 10), 1);
  });

  test('only the jobs a rate-limited claim takes count as starts', async (backend) => {
    await backend.insert([newJob(), newJob()]);
    assert.equal((await backend.claim(claimRequest({ limit: 10, rate: perSecond(5) }))).length, 2);
    await backend.insert(Array.from({ length: 10 }, () => newJob()));
    const later = await backend.claim(claimRequest({ leaseToken: 'lease-2', limit: 10, rate: perSecond(5) }));
    assert.equal(later.length, 3);
  });

  test('a rate-limited claim that finds no job records no start', async (backend) => {
    assert.deepEqual(await backend.claim(claimRequest({ tasks: ['nothing-due'], rate: perSecond(2) })), []);
    await backend.insert(Array.from({ length: 5 }, () => newJob()));
    assert.equal(
      (await backend.claim(claimRequest({ leaseToken: 'lease-2', rate: perSecond(2) }))).length,
      2,
    );
  });

  test('different rate keys do not share their limits', async (backend) => {
    await backend.insert(Array.from({ length: 10 }, () => newJob()));
    const mail = await backend.claim(claimRequest({ rate: { key: 'mail', max: 2, periodMs: SECOND } }));
    const sms = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', rate: { key: 'sms', max: 3, periodMs: SECOND } }),
    );
    assert.deepEqual([mail.length, sms.length], [2, 3]);
  });

  test('a claim without a rate neither counts nor records starts', async (backend) => {
    await backend.insert(Array.from({ length: 10 }, () => newJob()));
    assert.equal((await backend.claim(claimRequest({ limit: 4 }))).length, 4);
    assert.equal(
      (await backend.claim(claimRequest({ leaseToken: 'lease-2', rate: perSecond(3) }))).length,
      3,
    );
  });

  test('a rate with max 0 claims nothing', async (backend) => {
    await backend.insert([newJob()]);
    assert.deepEqual(await backend.claim(claimRequest({ rate: perSecond(0) })), []);
  });

  test('concurrent rate-limited claims take at most max jobs between them, and more after the period', async (backend) => {
    await backend.insert(Array.from({ length: 40 }, () => newJob()));
    const claimAll = (now: number): Promise<JobRecord[][]> =>
      Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          backend.claim(
            claimRequest({
              limit: 3,
              now,
              workerId: `worker-${n}`,
              leaseToken: `lease-${now}-${n}`,
              rate: perSecond(5),
            }),
          ),
        ),
      );
    const first = (await claimAll(NOW)).flat();
    assert.equal(first.length, 5, 'exactly max jobs started in the period');
    assert.equal(new Set(ids(first)).size, 5);
    const next = (await claimAll(NOW + SECOND)).flat();
    assert.equal(next.length, 5, 'max more once the period has passed');
    assert.equal(new Set([...ids(first), ...ids(next)]).size, 10, 'no job claimed twice');
  });
}

function concurrencyCases(test: ContractTest): void {
  test('insert stores the concurrencyKey, null when not given', async (backend) => {
    const [keyed = '', plain = ''] = await backend.insert([
      newJob({ concurrencyKey: 'customer:1' }),
      newJob(),
    ]);
    assert.equal((await mustGet(backend, keyed)).concurrencyKey, 'customer:1');
    assert.equal((await mustGet(backend, plain)).concurrencyKey, null);
  });

  test('a job whose key has max jobs running is not claimed; a job of another key is', async (backend) => {
    await startJob(backend, { task: 'export', concurrencyKey: 'customer:1' });
    const [, other = ''] = await backend.insert([
      newJob({ concurrencyKey: 'customer:1' }),
      newJob({ concurrencyKey: 'customer:2' }),
    ]);
    const claimed = await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 1 } }));
    assert.deepEqual(ids(claimed), [other]);
  });

  test('a job is claimed while fewer than max jobs of its key are running', async (backend) => {
    await startJob(backend, { task: 'export', concurrencyKey: 'customer:1' });
    const [waiting = ''] = await backend.insert([newJob({ concurrencyKey: 'customer:1' })]);
    const claimed = await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 2 } }));
    assert.deepEqual(ids(claimed), [waiting]);
  });

  test('the jobs one claim takes count against the limit', async (backend) => {
    const keyed = await backend.insert(
      Array.from({ length: 5 }, () => newJob({ concurrencyKey: 'customer:1' })),
    );
    const claimed = await backend.claim(claimRequest({ limit: 10, concurrency: { max: 2 } }));
    assert.deepEqual(ids(claimed), keyed.slice(0, 2), 'the first two in claim order');
  });

  test('jobs with no concurrencyKey are not limited', async (backend) => {
    const plain = await backend.insert(Array.from({ length: 5 }, () => newJob()));
    assert.deepEqual(ids(await backend.claim(claimRequest({ concurrency: { max: 1 } }))), plain);
  });

  test('running jobs of other tasks and queues count against their key', async (backend) => {
    await startJob(backend, { task: 'export', queue: 'exports', concurrencyKey: 'customer:1' });
    await backend.insert([newJob({ queue: 'mail', concurrencyKey: 'customer:1' })]);
    assert.deepEqual(
      await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 1 } })),
      [],
    );
  });

  test('a running job whose lease has expired still counts until it leaves running', async (backend) => {
    const stale = await startJob(
      backend,
      { task: 'export', concurrencyKey: 'customer:1' },
      { leaseUntil: NOW + 1 },
    );
    const [waiting = ''] = await backend.insert([newJob({ concurrencyKey: 'customer:1' })]);
    const later = NOW + 60 * SECOND;
    assert.deepEqual(
      await backend.claim(claimRequest({ leaseToken: 'lease-2', now: later, concurrency: { max: 1 } })),
      [],
    );
    await backend.transition([
      { id: stale.id, from: ['running'], leaseExpiredBefore: later, to: 'scheduled', runAt: later + SECOND },
    ]);
    const claimed = await backend.claim(
      claimRequest({ leaseToken: 'lease-3', now: later, concurrency: { max: 1 } }),
    );
    assert.deepEqual(ids(claimed), [waiting]);
  });

  test('a key frees a slot when one of its jobs finishes', async (backend) => {
    const [first = '', second = ''] = await backend.insert([
      newJob({ concurrencyKey: 'customer:1' }),
      newJob({ concurrencyKey: 'customer:1' }),
    ]);
    const [running] = await backend.claim(claimRequest({ concurrency: { max: 1 } }));
    assert.equal(running?.id, first);
    assert.deepEqual(
      await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 1 } })),
      [],
    );
    await finishJob(backend, running, 'succeeded', NOW + 10);
    const next = await backend.claim(claimRequest({ leaseToken: 'lease-3', concurrency: { max: 1 } }));
    assert.deepEqual(ids(next), [second]);
  });

  test('a saturated key does not hold back the jobs behind it in claim order', async (backend) => {
    // Many jobs of one key come first; a claim must look past them to fill its limit.
    await backend.insert(
      Array.from({ length: 30 }, () => newJob({ priority: 0, concurrencyKey: 'customer:1' })),
    );
    const scheduled = await backend.insert(
      Array.from({ length: 2 }, () =>
        newJob({ priority: 1, state: 'scheduled', runAt: NOW - 1, concurrencyKey: 'customer:2' }),
      ),
    );
    const [plain = ''] = await backend.insert([newJob({ priority: 2 })]);
    const [third = ''] = await backend.insert([newJob({ priority: 3, concurrencyKey: 'customer:3' })]);
    const claimed = await backend.claim(claimRequest({ limit: 5, concurrency: { max: 1 } }));
    assert.equal(claimed.length, 4);
    assert.equal(claimed[0]?.concurrencyKey, 'customer:1');
    assert.deepEqual(ids(claimed).slice(1), [scheduled[0], plain, third]);
  });

  test('a limit of max per key applies to each key separately', async (backend) => {
    await backend.insert(
      Array.from({ length: 12 }, (_, n) => newJob({ concurrencyKey: `customer:${n % 3}` })),
    );
    const claimed = await backend.claim(claimRequest({ limit: 12, concurrency: { max: 2 } }));
    assert.deepEqual(
      perKey(claimed),
      new Map([
        ['customer:0', 2],
        ['customer:1', 2],
        ['customer:2', 2],
      ]),
    );
  });

  test('concurrent claims with a limit of 1 run at most one job per key, and every key gets one', async (backend) => {
    const keys = Array.from({ length: 8 }, (_, n) => `customer:${n}`);
    await backend.insert(
      keys.flatMap((key) => Array.from({ length: 5 }, () => newJob({ concurrencyKey: key }))),
    );
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        backend.claim(
          claimRequest({
            limit: 3,
            workerId: `worker-${n}`,
            leaseToken: `lease-${n}`,
            concurrency: { max: 1 },
          }),
        ),
      ),
    );
    const claimed = claims.flat();
    assert.equal(new Set(ids(claimed)).size, claimed.length, 'a job was claimed twice');
    assert.deepEqual(perKey(claimed), new Map(keys.map((key) => [key, 1])));
    const running = (await backend.list({ state: 'running', limit: 100 })).jobs;
    assert.deepEqual(perKey(running), new Map(keys.map((key) => [key, 1])));
  });

  test('a claim with both limits honours both and counts only the jobs it takes as starts', async (backend) => {
    await backend.insert([
      ...Array.from({ length: 4 }, () => newJob({ concurrencyKey: 'customer:1' })),
      ...Array.from({ length: 4 }, () => newJob({ concurrencyKey: 'customer:2' })),
    ]);
    const first = await backend.claim(claimRequest({ rate: perSecond(3), concurrency: { max: 1 } }));
    assert.deepEqual(
      perKey(first),
      new Map([
        ['customer:1', 1],
        ['customer:2', 1],
      ]),
    );
    await backend.insert([
      newJob({ concurrencyKey: 'customer:3' }),
      newJob({ concurrencyKey: 'customer:4' }),
    ]);
    const second = await backend.claim(
      claimRequest({ leaseToken: 'lease-2', rate: perSecond(3), concurrency: { max: 1 } }),
    );
    assert.deepEqual(perKey(second), new Map([['customer:3', 1]]), 'one start left in the period');
  });
}
