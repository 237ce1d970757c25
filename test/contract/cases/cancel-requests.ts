import assert from 'node:assert/strict';

import type { JobState } from '@errand/core';

import {
  claimRequest,
  finishedJob,
  finishJob,
  insertOne,
  mustGet,
  NOW,
  sortedById,
  startJob,
  type ContractTest,
} from '../helpers.ts';

export function cancelRequestCases(test: ContractTest): void {
  test('requestCancel marks a running job and returns true', async (backend) => {
    const running = await startJob(backend);
    assert.equal(await backend.requestCancel(running.id), true);
    assert.equal((await mustGet(backend, running.id)).cancelRequested, true);
  });

  test('requestCancel changes nothing else: the job keeps running under its lease', async (backend) => {
    const running = await startJob(backend);
    await backend.requestCancel(running.id);
    assert.deepEqual(await mustGet(backend, running.id), { ...running, cancelRequested: true });
    assert.deepEqual(await backend.renewLeases([{ id: running.id, leaseToken: 'lease-1' }], NOW + 60_000), [
      running.id,
    ]);
    await finishJob(backend, running, 'cancelled', NOW + 10);
  });

  test('requestCancel on a job already marked returns true again', async (backend) => {
    const running = await startJob(backend);
    assert.equal(await backend.requestCancel(running.id), true);
    assert.equal(await backend.requestCancel(running.id), true);
    assert.equal((await mustGet(backend, running.id)).cancelRequested, true);
  });

  test('requestCancel returns false and changes nothing for a queued or scheduled job', async (backend) => {
    const queued = await insertOne(backend);
    const scheduled = await insertOne(backend, { state: 'scheduled', runAt: NOW + 60_000 });
    for (const id of [queued, scheduled]) {
      const before = await mustGet(backend, id);
      assert.equal(await backend.requestCancel(id), false);
      assert.deepEqual(await mustGet(backend, id), before);
    }
  });

  test('requestCancel returns false and changes nothing for a finished job', async (backend) => {
    for (const to of ['succeeded', 'failed', 'cancelled'] as const) {
      const id = await finishedJob(backend, to, NOW + 10, { task: `finished-${to}` });
      const before = await mustGet(backend, id);
      assert.equal(await backend.requestCancel(id), false, to);
      assert.deepEqual(await mustGet(backend, id), before, to);
    }
  });

  test('requestCancel returns false for an id no job has, or one that is not a number', async (backend) => {
    await startJob(backend);
    assert.equal(await backend.requestCancel('999999999'), false);
    assert.equal(await backend.requestCancel('not-an-id'), false);
  });

  test('a new job starts with no cancel request', async (backend) => {
    const id = await insertOne(backend);
    assert.equal((await mustGet(backend, id)).cancelRequested, false);
    const [claimed] = await backend.claim(claimRequest());
    assert.equal(claimed?.cancelRequested, false);
  });

  test('cancelRequested returns, of the given ids, the running jobs asked to cancel', async (backend) => {
    const asked = await startJob(backend, { task: 'asked' });
    const notAsked = await startJob(backend, { task: 'not-asked' });
    const askedButNotGiven = await startJob(backend, { task: 'asked-not-given' });
    const queued = await insertOne(backend, { task: 'queued' });
    await backend.requestCancel(asked.id);
    await backend.requestCancel(askedButNotGiven.id);
    await backend.requestCancel(queued);
    assert.deepEqual(await backend.cancelRequested([notAsked.id, asked.id, queued, '999999999']), [asked.id]);
  });

  test('cancelRequested answers in the order of the ids given', async (backend) => {
    const first = await startJob(backend, { task: 'first' });
    const second = await startJob(backend, { task: 'second' });
    await backend.requestCancel(first.id);
    await backend.requestCancel(second.id);
    assert.deepEqual(await backend.cancelRequested([second.id, first.id]), [second.id, first.id]);
    assert.deepEqual(await backend.cancelRequested([first.id, second.id]), [first.id, second.id]);
  });

  test('cancelRequested of no ids, or of ids no job has, is empty', async (backend) => {
    const running = await startJob(backend);
    await backend.requestCancel(running.id);
    assert.deepEqual(await backend.cancelRequested([]), []);
    assert.deepEqual(await backend.cancelRequested(['999999999', 'not-an-id']), []);
  });

  test('a job leaving running drops its cancel request', async (backend) => {
    const targets: JobState[] = ['scheduled', 'queued', 'succeeded', 'failed', 'cancelled'];
    const left: string[] = [];
    for (const to of targets) {
      const running = await startJob(backend, { task: `to-${to}` });
      await backend.requestCancel(running.id);
      assert.deepEqual(
        await backend.transition([{ id: running.id, from: ['running'], leaseToken: 'lease-1', to }]),
        [true],
      );
      assert.equal((await mustGet(backend, running.id)).cancelRequested, false, `after running -> ${to}`);
      left.push(running.id);
    }
    assert.deepEqual(await backend.cancelRequested(sortedById(left)), []);
  });

  test('a job claimed again after a retry starts with no cancel request', async (backend) => {
    const running = await startJob(backend);
    await backend.requestCancel(running.id);
    await backend.transition([
      { id: running.id, from: ['running'], leaseToken: 'lease-1', to: 'scheduled', runAt: NOW + 1_000 },
    ]);
    const [again] = await backend.claim(claimRequest({ leaseToken: 'lease-2', now: NOW + 1_000 }));
    assert.equal(again?.id, running.id);
    assert.equal(again.cancelRequested, false);
    assert.deepEqual(await backend.cancelRequested([running.id]), []);
  });

  test('findExpired shows the cancel request of a running job whose lease ran out', async (backend) => {
    const running = await startJob(backend, {}, { leaseUntil: NOW + 1_000 });
    await backend.requestCancel(running.id);
    const [expired] = await backend.findExpired({ now: NOW + 2_000, limit: 10 });
    assert.equal(expired?.id, running.id);
    assert.equal(expired.cancelRequested, true);
  });
}
