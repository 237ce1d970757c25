import assert from 'node:assert/strict';

import {
  claimRequest,
  ids,
  insertOne,
  jobCount,
  mustGet,
  newUniqueJob,
  NOW,
  startJob,
  type ContractTest,
} from '../helpers.ts';

/** JobTransition.remove: a change that deletes its job (a success of a task with keepSucceeded: false). */
export function transitionRemovalCases(test: ContractTest): void {
  test('a change with remove deletes a job that holds the lease, with everything kept for it', async (backend) => {
    const kept = await insertOne(backend, { task: 'other' });
    const running = await startJob(backend, { payload: `"${'long payload '.repeat(20)}"` });
    const applied = await backend.transition([
      {
        id: running.id,
        from: ['running'],
        leaseToken: 'lease-1',
        to: 'succeeded',
        result: `"${'long result '.repeat(20)}"`,
        finishedAt: NOW + 100,
        remove: true,
      },
    ]);
    assert.deepEqual(applied, [true]);
    assert.equal(await backend.get(running.id), null);
    assert.equal(await jobCount(backend), 1, 'stats counts only the other job');
    assert.deepEqual(ids((await backend.list({ limit: 10 })).jobs), [kept], 'list no longer shows it');
    assert.deepEqual(ids((await backend.list({ state: 'succeeded', limit: 10 })).jobs), []);
    assert.deepEqual(
      await backend.findExpired({ now: NOW + 60_000, limit: 10 }),
      [],
      'no lease left to rescue',
    );
    assert.deepEqual(
      await backend.finishedCounts({ since: NOW, until: NOW + 60_000, bucketMs: 60_000 }),
      [],
      'no finished job to count',
    );
  });

  test('a change with remove is skipped, keeping the job, when the job holds another lease or is in none of its from-states', async (backend) => {
    const running = await startJob(backend);
    const applied = await backend.transition([
      { id: running.id, from: ['running'], leaseToken: 'lease-2', to: 'succeeded', remove: true },
    ]);
    const queued = await insertOne(backend, { task: 'other' });
    applied.push(
      ...(await backend.transition([{ id: queued, from: ['running'], to: 'succeeded', remove: true }])),
    );
    assert.deepEqual(applied, [false, false]);
    assert.equal((await mustGet(backend, running.id)).state, 'running');
    assert.equal((await mustGet(backend, running.id)).leaseToken, 'lease-1');
    assert.equal((await mustGet(backend, queued)).state, 'queued');
  });

  test('a removed job frees its unique key and its share of its concurrency key', async (backend) => {
    const held = await backend.insertUnique(
      newUniqueJob('report:42', {
        concurrencyKey: 'customer:7',
        uniqueStates: ['queued', 'running', 'succeeded'],
      }),
      { now: NOW },
    );
    const waiting = await insertOne(backend, { concurrencyKey: 'customer:7' });
    const first = await backend.claim(claimRequest({ concurrency: { max: 1 } }));
    assert.deepEqual(ids(first), [held.id]);
    const applied = await backend.transition([
      { id: held.id, from: ['running'], leaseToken: 'lease-1', to: 'succeeded', remove: true },
    ]);
    assert.deepEqual(applied, [true]);
    const second = await backend.claim(claimRequest({ leaseToken: 'lease-2', concurrency: { max: 1 } }));
    assert.deepEqual(ids(second), [waiting], 'the key has no running job left');
    const again = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.equal(again.created, true, 'no job holds the key any more');
  });

  test('a batch of removals and updates applies each change, in order', async (backend) => {
    const removed = await startJob(backend, { task: 'a' });
    const failed = await startJob(backend, { task: 'b' });
    const applied = await backend.transition([
      { id: removed.id, from: ['running'], leaseToken: 'lease-1', to: 'succeeded', remove: true },
      { id: failed.id, from: ['running'], leaseToken: 'lease-1', to: 'failed', finishedAt: NOW + 5 },
      { id: removed.id, from: ['succeeded', 'running'], to: 'queued' },
    ]);
    assert.deepEqual(applied, [true, true, false], 'a removed job takes no later change');
    assert.equal(await backend.get(removed.id), null);
    const stored = await mustGet(backend, failed.id);
    assert.equal(stored.state, 'failed');
    assert.equal(stored.finishedAt, NOW + 5);
  });
}
