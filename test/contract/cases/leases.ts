import assert from 'node:assert/strict';

import { finishJob, insertOne, mustGet, NOW, sortedById, startJob, type ContractTest } from '../helpers.ts';

export function leaseCases(test: ContractTest): void {
  test('renewLeases extends each held lease and returns its id', async (backend) => {
    const first = await startJob(backend, { task: 'first' }, { leaseToken: 'a' });
    const second = await startJob(backend, { task: 'second' }, { leaseToken: 'b' });
    const renewed = await backend.renewLeases(
      [
        { id: first.id, leaseToken: 'a' },
        { id: second.id, leaseToken: 'b' },
      ],
      NOW + 90_000,
    );
    assert.deepEqual(sortedById(renewed), sortedById([first.id, second.id]));
    assert.equal((await mustGet(backend, first.id)).leaseUntil, NOW + 90_000);
    assert.equal((await mustGet(backend, second.id)).leaseUntil, NOW + 90_000);
  });

  test('renewLeases leaves out and leaves alone a job held under another token', async (backend) => {
    const running = await startJob(backend, {}, { leaseToken: 'theirs' });
    const renewed = await backend.renewLeases([{ id: running.id, leaseToken: 'mine' }], NOW + 90_000);
    assert.deepEqual(renewed, []);
    assert.deepEqual(await mustGet(backend, running.id), running);
  });

  test('renewLeases leaves out a job that is no longer running', async (backend) => {
    const running = await startJob(backend);
    await finishJob(backend, running, 'succeeded', NOW + 10);
    const renewed = await backend.renewLeases([{ id: running.id, leaseToken: 'lease-1' }], NOW + 90_000);
    assert.deepEqual(renewed, []);
    assert.equal((await mustGet(backend, running.id)).leaseUntil, null);
  });

  test('renewLeases leaves out an id no job has', async (backend) => {
    assert.deepEqual(await backend.renewLeases([{ id: '999999999', leaseToken: 'lease-1' }], NOW), []);
  });

  test('recordProgress stores the progress of a job whose lease is held', async (backend) => {
    const running = await startJob(backend);
    assert.equal(await backend.recordProgress(running.id, 'lease-1', '{"percent":40}'), true);
    assert.equal((await mustGet(backend, running.id)).progress, '{"percent":40}');
  });

  test('recordProgress under another token returns false and stores nothing', async (backend) => {
    const running = await startJob(backend);
    assert.equal(await backend.recordProgress(running.id, 'not-my-lease', '{"percent":40}'), false);
    assert.equal((await mustGet(backend, running.id)).progress, null);
  });

  test('recordProgress after the job finished returns false', async (backend) => {
    const running = await startJob(backend);
    await finishJob(backend, running, 'succeeded', NOW + 10);
    assert.equal(await backend.recordProgress(running.id, 'lease-1', '{"percent":99}'), false);
    assert.equal((await mustGet(backend, running.id)).progress, null);
  });

  test('findExpired returns running jobs whose lease ended before now, and no others', async (backend) => {
    const expired = await startJob(backend, { task: 'expired' }, { leaseUntil: NOW - 1 });
    await startJob(backend, { task: 'ends-now' }, { leaseUntil: NOW });
    await startJob(backend, { task: 'live' }, { leaseUntil: NOW + 30_000 });
    await insertOne(backend, { task: 'queued' });
    const finished = await startJob(backend, { task: 'finished' }, { leaseUntil: NOW - 1 });
    await finishJob(backend, finished, 'succeeded', NOW - 1);
    const found = await backend.findExpired({ now: NOW, limit: 10 });
    assert.deepEqual(
      found.map((job) => job.id),
      [expired.id],
    );
    assert.deepEqual(found[0], await mustGet(backend, expired.id));
  });

  test('findExpired returns the oldest lease first, at most limit', async (backend) => {
    const newer = await startJob(backend, { task: 'newer' }, { leaseUntil: NOW - 1_000 });
    const oldest = await startJob(backend, { task: 'oldest' }, { leaseUntil: NOW - 3_000 });
    const older = await startJob(backend, { task: 'older' }, { leaseUntil: NOW - 2_000 });
    const all = await backend.findExpired({ now: NOW, limit: 10 });
    assert.deepEqual(
      all.map((job) => job.id),
      [oldest.id, older.id, newer.id],
    );
    const limited = await backend.findExpired({ now: NOW, limit: 2 });
    assert.deepEqual(
      limited.map((job) => job.id),
      [oldest.id, older.id],
    );
  });

  test('findExpired changes nothing', async (backend) => {
    const running = await startJob(backend, {}, { leaseUntil: NOW - 1 });
    await backend.findExpired({ now: NOW, limit: 10 });
    assert.deepEqual(await mustGet(backend, running.id), running);
  });
}
