import assert from 'node:assert/strict';

import type { JobState, JobTransition } from '@errand/core';

import {
  claimRequest,
  finishedJob,
  insertOne,
  mustGet,
  NOW,
  startJob,
  type ContractTest,
} from '../helpers.ts';

export function transitionCases(test: ContractTest): void {
  test('a rescue that sees the lease renewed since it was read does not apply', async (backend) => {
    const running = await startJob(backend, {}, { leaseUntil: NOW + 1_000 });
    const expired = await backend.findExpired({ now: NOW + 2_000, limit: 10 });
    assert.deepEqual(
      expired.map((job) => job.id),
      [running.id],
    );
    assert.deepEqual(await backend.renewLeases([{ id: running.id, leaseToken: 'lease-1' }], NOW + 30_000), [
      running.id,
    ]);
    const rescue = {
      id: running.id,
      from: ['running'] as const,
      leaseToken: 'lease-1',
      leaseExpiredBefore: NOW + 2_000,
    };
    assert.deepEqual(await backend.transition([{ ...rescue, to: 'scheduled', runAt: NOW + 2_000 }]), [false]);
    assert.equal((await mustGet(backend, running.id)).state, 'running');
    assert.deepEqual(
      await backend.transition([
        { ...rescue, leaseExpiredBefore: NOW + 40_000, to: 'scheduled', runAt: NOW + 2_000 },
      ]),
      [true],
      'applies once the lease really is past',
    );
  });

  test('a change applies when the job is in a from-state and holds the lease', async (backend) => {
    const running = await startJob(backend);
    const applied = await backend.transition([
      { id: running.id, from: ['running'], leaseToken: 'lease-1', to: 'succeeded', finishedAt: NOW + 100 },
    ]);
    assert.deepEqual(applied, [true]);
    const stored = await mustGet(backend, running.id);
    assert.equal(stored.state, 'succeeded');
    assert.equal(stored.finishedAt, NOW + 100);
  });

  test('a change writes every field it gives', async (backend) => {
    const running = await startJob(backend);
    await backend.transition([
      {
        id: running.id,
        from: ['running'],
        leaseToken: 'lease-1',
        to: 'scheduled',
        runAt: NOW + 9_000,
        result: '{"partial":true}',
        errors: '[{"message":"timeout"}]',
        attempt: 5,
        maxAttempts: 8,
        startedAt: NOW - 1,
        finishedAt: NOW + 1,
      },
    ]);
    const stored = await mustGet(backend, running.id);
    assert.deepEqual(
      {
        state: stored.state,
        runAt: stored.runAt,
        result: stored.result,
        errors: stored.errors,
        attempt: stored.attempt,
        maxAttempts: stored.maxAttempts,
        startedAt: stored.startedAt,
        finishedAt: stored.finishedAt,
      },
      {
        state: 'scheduled',
        runAt: NOW + 9_000,
        result: '{"partial":true}',
        errors: '[{"message":"timeout"}]',
        attempt: 5,
        maxAttempts: 8,
        startedAt: NOW - 1,
        finishedAt: NOW + 1,
      },
    );
  });

  test('fields a change leaves undefined keep their stored values', async (backend) => {
    const running = await startJob(backend);
    await backend.recordProgress(running.id, 'lease-1', '{"done":3}');
    await backend.transition([
      {
        id: running.id,
        from: ['running'],
        leaseToken: 'lease-1',
        to: 'scheduled',
        runAt: NOW + 9_000,
        result: '{"partial":true}',
        errors: '[{"message":"timeout"}]',
        attempt: 2,
        maxAttempts: 4,
        startedAt: NOW,
        finishedAt: NOW + 1,
      },
    ]);
    const before = await mustGet(backend, running.id);
    assert.deepEqual(await backend.transition([{ id: running.id, from: ['scheduled'], to: 'cancelled' }]), [
      true,
    ]);
    assert.deepEqual(await mustGet(backend, running.id), { ...before, state: 'cancelled' });
  });

  test('a field given as null is written as null', async (backend) => {
    const id = await finishedJob(backend, 'failed', NOW + 100);
    const before = await mustGet(backend, id);
    assert.ok(before.startedAt !== null && before.finishedAt !== null);
    const applied = await backend.transition([
      { id, from: ['failed', 'cancelled'], to: 'queued', startedAt: null, finishedAt: null },
    ]);
    assert.deepEqual(applied, [true]);
    const stored = await mustGet(backend, id);
    assert.equal(stored.state, 'queued');
    assert.equal(stored.startedAt, null);
    assert.equal(stored.finishedAt, null);
  });

  test('a change is skipped and reported false when the job is in none of its from-states', async (backend) => {
    const id = await insertOne(backend);
    const before = await mustGet(backend, id);
    const applied = await backend.transition([
      { id, from: ['running', 'scheduled'], to: 'succeeded', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [false]);
    assert.deepEqual(await mustGet(backend, id), before);
  });

  test('a change is skipped and reported false when the job holds another lease', async (backend) => {
    const running = await startJob(backend);
    const applied = await backend.transition([
      { id: running.id, from: ['running'], leaseToken: 'not-my-lease', to: 'succeeded', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [false]);
    assert.deepEqual(await mustGet(backend, running.id), running);
  });

  test('a change without a leaseToken applies whatever lease the job holds', async (backend) => {
    const running = await startJob(backend);
    const applied = await backend.transition([
      { id: running.id, from: ['running'], to: 'cancelled', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [true]);
    assert.equal((await mustGet(backend, running.id)).state, 'cancelled');
  });

  test('a change for an id no job has is reported false', async (backend) => {
    await insertOne(backend);
    const applied = await backend.transition([
      { id: '999999999', from: ['queued'], to: 'cancelled', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [false]);
  });

  test('a job leaving running loses its leaseToken, leaseUntil and workerId', async (backend) => {
    const targets: JobState[] = ['scheduled', 'queued', 'succeeded', 'failed', 'cancelled'];
    for (const to of targets) {
      const running = await startJob(backend, { task: `to-${to}` });
      assert.deepEqual(
        await backend.transition([{ id: running.id, from: ['running'], leaseToken: 'lease-1', to }]),
        [true],
      );
      const stored = await mustGet(backend, running.id);
      assert.deepEqual(
        { leaseToken: stored.leaseToken, leaseUntil: stored.leaseUntil, workerId: stored.workerId },
        { leaseToken: null, leaseUntil: null, workerId: null },
        `after running -> ${to}`,
      );
    }
  });

  test('a batch reports one result per change, in order', async (backend) => {
    const queued = await insertOne(backend, { task: 'queued-one' });
    const running = await startJob(backend, { task: 'running-one' });
    const applied = await backend.transition([
      { id: queued, from: ['queued'], to: 'cancelled', finishedAt: NOW },
      { id: running.id, from: ['running'], leaseToken: 'stale', to: 'succeeded', finishedAt: NOW },
      { id: '999999999', from: ['queued'], to: 'cancelled', finishedAt: NOW },
      { id: running.id, from: ['running'], leaseToken: 'lease-1', to: 'succeeded', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [true, false, false, true]);
    assert.equal((await mustGet(backend, queued)).state, 'cancelled');
    assert.equal((await mustGet(backend, running.id)).state, 'succeeded');
  });

  test('a stale worker cannot complete a job that was rescued and claimed again', async (backend) => {
    const lost = await startJob(
      backend,
      {},
      { leaseToken: 'old', workerId: 'worker-old', leaseUntil: NOW + 1 },
    );
    const [expired] = await backend.findExpired({ now: NOW + 2, limit: 10 });
    assert.equal(expired?.id, lost.id);
    const rescue: JobTransition = {
      id: lost.id,
      from: ['running'],
      leaseToken: 'old',
      to: 'scheduled',
      runAt: NOW + 2,
    };
    assert.deepEqual(await backend.transition([rescue]), [true]);
    const [reclaimed] = await backend.claim(
      claimRequest({ leaseToken: 'new', workerId: 'worker-new', now: NOW + 3, leaseUntil: NOW + 60_000 }),
    );
    assert.equal(reclaimed?.id, lost.id);

    const staleCompletion = await backend.transition([
      {
        id: lost.id,
        from: ['running'],
        leaseToken: 'old',
        to: 'succeeded',
        result: '"stale"',
        finishedAt: NOW + 4,
      },
    ]);
    assert.deepEqual(staleCompletion, [false]);
    const stored = await mustGet(backend, lost.id);
    assert.equal(stored.state, 'running');
    assert.equal(stored.result, null);
    assert.equal(stored.leaseToken, 'new');
    assert.equal(stored.workerId, 'worker-new');
  });

  test('of two nodes rescuing the same expired job at once, only one succeeds', async (backend) => {
    const lost = await startJob(backend, {}, { leaseToken: 'old', leaseUntil: NOW + 1 });
    const rescue: JobTransition = {
      id: lost.id,
      from: ['running'],
      leaseToken: 'old',
      to: 'scheduled',
      runAt: NOW + 2,
    };
    const results = await Promise.all([backend.transition([rescue]), backend.transition([rescue])]);
    assert.deepEqual(results.flat().sort(), [false, true]);
  });
}
