import assert from 'node:assert/strict';

import {
  claimRequest,
  finishJob,
  ids,
  insertOne,
  mustGet,
  newJob,
  sortedById,
  startJob,
  type ContractTest,
} from '../helpers.ts';

export function pausedQueueCases(test: ContractTest): void {
  test('no queue is paused at first', async (backend) => {
    assert.deepEqual(await backend.pausedQueues(), []);
  });

  test('pausedQueues lists the paused queues in name order', async (backend) => {
    await backend.setQueuePaused('mail', true);
    await backend.setQueuePaused('billing', true);
    await backend.setQueuePaused('reports', true);
    assert.deepEqual(await backend.pausedQueues(), ['billing', 'mail', 'reports']);
  });

  test('a resumed queue leaves the paused list', async (backend) => {
    await backend.setQueuePaused('mail', true);
    await backend.setQueuePaused('billing', true);
    await backend.setQueuePaused('mail', false);
    assert.deepEqual(await backend.pausedQueues(), ['billing']);
  });

  test('pausing a paused queue, or resuming one that is not paused, is harmless', async (backend) => {
    await backend.setQueuePaused('mail', true);
    await backend.setQueuePaused('mail', true);
    assert.deepEqual(await backend.pausedQueues(), ['mail']);
    await backend.setQueuePaused('mail', false);
    await backend.setQueuePaused('mail', false);
    await backend.setQueuePaused('never-paused', false);
    assert.deepEqual(await backend.pausedQueues(), []);
  });

  test('claim takes no job from a paused queue, and its jobs stay as they are', async (backend) => {
    const [paused = '', open = ''] = await backend.insert([
      newJob({ queue: 'mail' }),
      newJob({ queue: 'media' }),
    ]);
    await backend.setQueuePaused('mail', true);
    const before = await mustGet(backend, paused);
    assert.deepEqual(ids(await backend.claim(claimRequest())), [open]);
    assert.deepEqual(await mustGet(backend, paused), before);
  });

  test('claim takes no job from a paused queue even when it names that queue', async (backend) => {
    await insertOne(backend, { queue: 'mail' });
    await backend.setQueuePaused('mail', true);
    assert.deepEqual(await backend.claim(claimRequest({ queues: ['mail'] })), []);
  });

  test('claim takes no due scheduled job from a paused queue', async (backend) => {
    await insertOne(backend, { queue: 'mail', state: 'scheduled', runAt: 0 });
    await backend.setQueuePaused('mail', true);
    assert.deepEqual(await backend.claim(claimRequest()), []);
  });

  test("a resumed queue's jobs are claimed again", async (backend) => {
    const id = await insertOne(backend, { queue: 'mail' });
    await backend.setQueuePaused('mail', true);
    assert.deepEqual(await backend.claim(claimRequest()), []);
    await backend.setQueuePaused('mail', false);
    assert.deepEqual(ids(await backend.claim(claimRequest())), [id]);
  });

  test('a queue paused before it has jobs holds the jobs added later', async (backend) => {
    await backend.setQueuePaused('mail', true);
    const mail = await backend.insert([newJob({ queue: 'mail' }), newJob({ queue: 'mail' })]);
    assert.deepEqual(await backend.claim(claimRequest()), []);
    await backend.setQueuePaused('mail', false);
    assert.deepEqual(sortedById(ids(await backend.claim(claimRequest()))), mail);
  });

  test('pausing a queue leaves its running jobs running, and they still finish', async (backend) => {
    const running = await startJob(backend, { queue: 'mail' });
    await backend.setQueuePaused('mail', true);
    assert.deepEqual(await mustGet(backend, running.id), running);
    await finishJob(backend, running, 'succeeded', running.startedAt ?? 0);
  });

  test('a claim with a rate or concurrency limit takes no job from a paused queue either', async (backend) => {
    const [, open = ''] = await backend.insert([
      newJob({ queue: 'mail', concurrencyKey: 'customer:1' }),
      newJob({ queue: 'media', concurrencyKey: 'customer:2' }),
    ]);
    await backend.setQueuePaused('mail', true);
    const limited = await backend.claim(
      claimRequest({ rate: { key: 'all', max: 10, periodMs: 1_000 }, concurrency: { max: 5 } }),
    );
    assert.deepEqual(ids(limited), [open]);
    assert.deepEqual(
      await backend.claim(
        claimRequest({ leaseToken: 'lease-2', rate: { key: 'all', max: 10, periodMs: 1_000 } }),
      ),
      [],
    );
    assert.deepEqual(
      await backend.claim(claimRequest({ leaseToken: 'lease-3', concurrency: { max: 5 } })),
      [],
    );
  });
}
