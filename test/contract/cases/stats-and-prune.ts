import assert from 'node:assert/strict';

import type { StateCount } from '@errand/core';

import {
  claimRequest,
  finishedJob,
  insertOne,
  mustGet,
  newJob,
  NOW,
  startJob,
  type ContractTest,
} from '../helpers.ts';

function byGroup(counts: readonly StateCount[]): StateCount[] {
  const key = (count: StateCount) => `${count.queue}/${count.task}/${count.state}`;
  return [...counts].sort((a, b) => key(a).localeCompare(key(b)));
}

export function statsAndPruneCases(test: ContractTest): void {
  test('stats counts jobs by queue, task and state, leaving out empty groups', async (backend) => {
    await backend.insert([
      newJob({ queue: 'mail', task: 'send-email' }),
      newJob({ queue: 'mail', task: 'send-email' }),
      newJob({ queue: 'mail', task: 'send-email' }),
      newJob({ queue: 'mail', task: 'send-digest', state: 'scheduled', runAt: NOW + 60_000 }),
      newJob({ queue: 'media', task: 'send-email' }),
    ]);
    await backend.claim(claimRequest({ queues: ['mail'], tasks: ['send-email'], limit: 1 }));
    assert.deepEqual(byGroup(await backend.stats()), [
      { queue: 'mail', task: 'send-digest', state: 'scheduled', count: 1 },
      { queue: 'mail', task: 'send-email', state: 'queued', count: 2 },
      { queue: 'mail', task: 'send-email', state: 'running', count: 1 },
      { queue: 'media', task: 'send-email', state: 'queued', count: 1 },
    ]);
  });

  test('stats of an empty store is empty', async (backend) => {
    assert.deepEqual(await backend.stats(), []);
  });

  test('prune deletes succeeded, failed and cancelled jobs that finished before the cutoff', async (backend) => {
    const succeeded = await finishedJob(backend, 'succeeded', NOW - 3);
    const failed = await finishedJob(backend, 'failed', NOW - 2);
    const cancelled = await finishedJob(backend, 'cancelled', NOW - 1);
    assert.equal(await backend.prune({ before: NOW, limit: 10 }), 3);
    for (const id of [succeeded, failed, cancelled]) assert.equal(await backend.get(id), null);
  });

  test('prune keeps jobs that finished at or after the cutoff', async (backend) => {
    const atCutoff = await finishedJob(backend, 'succeeded', NOW);
    const later = await finishedJob(backend, 'failed', NOW + 1);
    assert.equal(await backend.prune({ before: NOW, limit: 10 }), 0);
    await mustGet(backend, atCutoff);
    await mustGet(backend, later);
  });

  test('prune keeps jobs that are not finished, whatever their times', async (backend) => {
    const queued = await insertOne(backend, { task: 'waits', createdAt: NOW - 90_000, runAt: NOW - 90_000 });
    const scheduled = await insertOne(backend, { state: 'scheduled', task: 'later', runAt: NOW + 90_000 });
    const running = await startJob(backend, { task: 'runs', createdAt: NOW - 90_000 });
    // An operator retry that leaves finishedAt in place: the job is queued again, so not prunable.
    const retried = await finishedJob(backend, 'failed', NOW - 90_000);
    await backend.transition([{ id: retried, from: ['failed'], to: 'queued' }]);
    assert.equal((await mustGet(backend, retried)).finishedAt, NOW - 90_000);
    assert.equal(await backend.prune({ before: NOW, limit: 10 }), 0);
    for (const id of [queued, scheduled, running.id, retried]) await mustGet(backend, id);
  });

  test('prune deletes at most limit jobs and returns how many', async (backend) => {
    const ids = [
      await finishedJob(backend, 'succeeded', NOW - 3),
      await finishedJob(backend, 'succeeded', NOW - 2),
      await finishedJob(backend, 'succeeded', NOW - 1),
    ];
    assert.equal(await backend.prune({ before: NOW, limit: 2 }), 2);
    const left = (await Promise.all(ids.map((id) => backend.get(id)))).filter((job) => job !== null);
    assert.equal(left.length, 1);
    assert.equal(await backend.prune({ before: NOW, limit: 2 }), 1);
    assert.equal(await backend.prune({ before: NOW, limit: 2 }), 0);
  });
}
