import assert from 'node:assert/strict';

import { claimRequest, insertOne, mustGet, newJob, NOW, sortedById, type ContractTest } from '../helpers.ts';

export function claimCases(test: ContractTest): void {
  test('claim takes a queued job even when its runAt is later than now', async (backend) => {
    const id = await insertOne(backend, { state: 'queued', runAt: NOW + 60_000 });
    const claimed = await backend.claim(claimRequest());
    assert.deepEqual(
      claimed.map((job) => job.id),
      [id],
    );
  });

  test('claim takes a scheduled job whose runAt has come, and not one still in the future', async (backend) => {
    const [dueEarlier = '', dueNow = ''] = await backend.insert([
      newJob({ state: 'scheduled', runAt: NOW - 1 }),
      newJob({ state: 'scheduled', runAt: NOW }),
      newJob({ state: 'scheduled', runAt: NOW + 1 }),
    ]);
    const claimed = await backend.claim(claimRequest());
    assert.deepEqual(sortedById(claimed.map((job) => job.id)), [dueEarlier, dueNow]);
  });

  test('a claimed job is running, on its next attempt, started now, under the given lease', async (backend) => {
    const id = await insertOne(backend, { runAt: NOW - 5_000 });
    const before = await mustGet(backend, id);
    const [claimed] = await backend.claim(
      claimRequest({ workerId: 'worker-7', leaseToken: 'token-a', leaseUntil: NOW + 45_000 }),
    );
    assert.deepEqual(claimed, {
      ...before,
      state: 'running',
      attempt: before.attempt + 1,
      startedAt: NOW,
      leaseToken: 'token-a',
      leaseUntil: NOW + 45_000,
      workerId: 'worker-7',
    });
  });

  test('claim returns the jobs as they are stored after the claim', async (backend) => {
    await backend.insert([newJob(), newJob()]);
    const claimed = await backend.claim(claimRequest());
    assert.equal(claimed.length, 2);
    for (const job of claimed) assert.deepEqual(await mustGet(backend, job.id), job);
  });

  test('claim takes only jobs of the given tasks', async (backend) => {
    const [email = '', , report = ''] = await backend.insert([
      newJob({ task: 'send-email' }),
      newJob({ task: 'resize-image' }),
      newJob({ task: 'build-report' }),
    ]);
    const claimed = await backend.claim(claimRequest({ tasks: ['send-email', 'build-report'] }));
    assert.deepEqual(sortedById(claimed.map((job) => job.id)), [email, report]);
  });

  test('claim with no tasks takes nothing', async (backend) => {
    await insertOne(backend);
    assert.deepEqual(await backend.claim(claimRequest({ tasks: [] })), []);
  });

  test('claim takes only jobs of the given queues', async (backend) => {
    const [mail = '', , urgent = ''] = await backend.insert([
      newJob({ queue: 'mail' }),
      newJob({ queue: 'media' }),
      newJob({ queue: 'urgent' }),
    ]);
    const claimed = await backend.claim(claimRequest({ queues: ['mail', 'urgent'] }));
    assert.deepEqual(sortedById(claimed.map((job) => job.id)), [mail, urgent]);
  });

  test('claim with queues null takes from every queue', async (backend) => {
    const ids = await backend.insert([newJob({ queue: 'mail' }), newJob({ queue: 'media' })]);
    const claimed = await backend.claim(claimRequest({ queues: null }));
    assert.deepEqual(sortedById(claimed.map((job) => job.id)), ids);
  });

  test('claim takes jobs by priority, then runAt, then id', async (backend) => {
    const [late = '', normal = '', early = '', earlyTwin = ''] = await backend.insert([
      newJob({ priority: 1, runAt: NOW - 10_000 }),
      newJob({ priority: 0, runAt: NOW }),
      newJob({ priority: 0, runAt: NOW - 5_000 }),
      newJob({ priority: 0, runAt: NOW - 5_000 }),
    ]);
    const urgent = await insertOne(backend, { priority: -1, runAt: NOW });
    const claimed = await backend.claim(claimRequest());
    assert.deepEqual(
      claimed.map((job) => job.id),
      [urgent, early, earlyTwin, normal, late],
    );
  });

  test('claim breaks ties by id compared as numbers, not as text', async (backend) => {
    const ids = await backend.insert(Array.from({ length: 12 }, () => newJob()));
    const claimed = await backend.claim(claimRequest({ limit: 12 }));
    assert.deepEqual(
      claimed.map((job) => job.id),
      ids,
    );
  });

  test('claim takes at most limit jobs, the first ones in claim order', async (backend) => {
    const [low = '', high = '', middle = ''] = await backend.insert([
      newJob({ priority: 3 }),
      newJob({ priority: 1 }),
      newJob({ priority: 2 }),
    ]);
    const claimed = await backend.claim(claimRequest({ limit: 2 }));
    assert.deepEqual(
      claimed.map((job) => job.id),
      [high, middle],
    );
    assert.equal((await mustGet(backend, low)).state, 'queued');
  });

  test('a running job is not claimed again', async (backend) => {
    await insertOne(backend);
    assert.equal((await backend.claim(claimRequest({ leaseToken: 'first' }))).length, 1);
    assert.deepEqual(await backend.claim(claimRequest({ leaseToken: 'second', now: NOW + 60_000 })), []);
  });

  test('a job sent back to scheduled is claimed again on its next attempt', async (backend) => {
    const id = await insertOne(backend);
    await backend.claim(claimRequest({ leaseToken: 'first' }));
    await backend.transition([
      { id, from: ['running'], leaseToken: 'first', to: 'scheduled', runAt: NOW + 10_000 },
    ]);
    const [again] = await backend.claim(claimRequest({ leaseToken: 'second', now: NOW + 10_000 }));
    assert.ok(again !== undefined, 'the job should be claimed again');
    assert.equal(again.id, id);
    assert.equal(again.attempt, 2);
    assert.equal(again.startedAt, NOW + 10_000);
    assert.equal(again.leaseToken, 'second');
  });

  test('concurrent claims never return the same job twice', async (backend) => {
    const ids = await backend.insert(Array.from({ length: 50 }, () => newJob()));
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        backend.claim(claimRequest({ limit: 3, workerId: `worker-${n}`, leaseToken: `lease-${n}` })),
      ),
    );
    const claimedIds = claims.flat().map((job) => job.id);
    assert.equal(new Set(claimedIds).size, claimedIds.length, 'a job was claimed twice');
    assert.deepEqual(sortedById(claimedIds), ids, 'with 60 slots for 50 jobs, every job is claimed');
    for (const [n, claimed] of claims.entries()) {
      for (const job of claimed) assert.equal((await mustGet(backend, job.id)).leaseToken, `lease-${n}`);
    }
  });
}
