import assert from 'node:assert/strict';

import type { NewUniqueJob } from '@errand/core';

import {
  claimRequest,
  finishJob,
  insertOne,
  jobCount,
  mustGet,
  newUniqueJob,
  NOW,
  type ContractTest,
} from '../helpers.ts';

export function uniqueCases(test: ContractTest): void {
  test('insertUnique creates a job when no job holds the key', async (backend) => {
    const result = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.equal(result.created, true);
    assert.match(result.id, /^[1-9][0-9]*$/);
    const stored = await mustGet(backend, result.id);
    assert.equal(stored.uniqueKey, 'report:42');
    assert.equal(stored.state, 'queued');
    assert.equal(stored.cancelRequested, false);
  });

  test('insertUnique stores the job as insert does, with its uniqueKey and concurrencyKey', async (backend) => {
    const job = newUniqueJob('report:42', {
      task: 'build-report',
      queue: 'reports',
      state: 'scheduled',
      priority: 3,
      payload: '{"month":"2026-10"}',
      maxAttempts: 5,
      runAt: NOW + 5_000,
      createdAt: NOW - 1,
      concurrencyKey: 'customer:7',
    });
    const { id } = await backend.insertUnique(job, { now: NOW });
    assert.deepEqual(await mustGet(backend, id), {
      id,
      task: 'build-report',
      queue: 'reports',
      state: 'scheduled',
      priority: 3,
      payload: '{"month":"2026-10"}',
      result: null,
      progress: null,
      errors: '[]',
      attempt: 0,
      maxAttempts: 5,
      runAt: NOW + 5_000,
      createdAt: NOW - 1,
      startedAt: null,
      finishedAt: null,
      leaseToken: null,
      leaseUntil: null,
      workerId: null,
      uniqueKey: 'report:42',
      concurrencyKey: 'customer:7',
      cancelRequested: false,
    });
  });

  test('insertUnique returns the queued holder, created false, and adds nothing', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    const second = await backend.insertUnique(newUniqueJob('report:42', { payload: '{"other":true}' }), {
      now: NOW + 1,
    });
    assert.deepEqual(second, { id: first.id, created: false });
    assert.equal(await jobCount(backend), 1);
    assert.equal(
      (await mustGet(backend, first.id)).payload,
      newUniqueJob('x').payload,
      'the holder is unchanged',
    );
  });

  test('a scheduled holder whose runAt is still ahead holds its key', async (backend) => {
    const first = await backend.insertUnique(
      newUniqueJob('report:42', { state: 'scheduled', runAt: NOW + 60_000 }),
      { now: NOW },
    );
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.deepEqual(second, { id: first.id, created: false });
  });

  test('a running holder holds its key when running is in its uniqueStates', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    await backend.claim(claimRequest());
    assert.equal((await mustGet(backend, first.id)).state, 'running');
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.deepEqual(second, { id: first.id, created: false });
  });

  test('a holder releases its key when it leaves its uniqueStates', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    const [running] = await backend.claim(claimRequest());
    assert.ok(running !== undefined);
    await finishJob(backend, running, 'succeeded', NOW + 10);
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 20 });
    assert.equal(second.created, true);
    assert.notEqual(second.id, first.id);
    assert.equal(await jobCount(backend), 2);
  });

  test('a job in a state outside its uniqueStates does not hold its key', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42', { uniqueStates: ['queued'] }), {
      now: NOW,
    });
    await backend.claim(claimRequest());
    assert.equal((await mustGet(backend, first.id)).state, 'running');
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.equal(second.created, true);
  });

  test('a holder keeps its key in a finished state listed in its uniqueStates', async (backend) => {
    const first = await backend.insertUnique(
      newUniqueJob('report:42', { uniqueStates: ['queued', 'running', 'succeeded'] }),
      { now: NOW },
    );
    const [running] = await backend.claim(claimRequest());
    assert.ok(running !== undefined);
    await finishJob(backend, running, 'succeeded', NOW + 10);
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 20 });
    assert.deepEqual(second, { id: first.id, created: false });
  });

  test("a job holds its key by the uniqueStates it was inserted with, not the newcomer's", async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42', { uniqueStates: ['queued'] }), {
      now: NOW,
    });
    await backend.claim(claimRequest());
    // The newcomer would hold its own key while running, but the running job was inserted holding only while queued.
    const second = await backend.insertUnique(
      newUniqueJob('report:42', { uniqueStates: ['queued', 'running'] }),
      { now: NOW },
    );
    assert.equal(second.created, true);
    assert.notEqual(second.id, first.id);
  });

  test('a holder releases its key once uniqueUntil is no longer after now', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42', { uniqueUntil: NOW + 1_000 }), {
      now: NOW,
    });
    const justBefore = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 999 });
    assert.deepEqual(justBefore, { id: first.id, created: false });
    const atTheEnd = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 1_000 });
    assert.equal(atTheEnd.created, true);
    assert.equal((await mustGet(backend, first.id)).state, 'queued', 'the old holder stays as it was');
  });

  test('uniqueUntil ends the hold even in a state listed in uniqueStates', async (backend) => {
    await backend.insertUnique(
      newUniqueJob('report:42', { uniqueStates: ['queued', 'running', 'succeeded'], uniqueUntil: NOW + 500 }),
      { now: NOW },
    );
    const [running] = await backend.claim(claimRequest());
    assert.ok(running !== undefined);
    await finishJob(backend, running, 'succeeded', NOW + 10);
    assert.equal((await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 499 })).created, false);
    assert.equal((await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 500 })).created, true);
  });

  test('different unique keys do not block each other', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    const second = await backend.insertUnique(newUniqueJob('report:43'), { now: NOW });
    assert.equal(second.created, true);
    assert.notEqual(second.id, first.id);
  });

  test('jobs added with insert() never hold a unique key', async (backend) => {
    const plain = await insertOne(backend);
    assert.equal((await mustGet(backend, plain)).uniqueKey, null);
    const unique = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.equal(unique.created, true);
  });

  test('when several jobs hold a key, insertUnique returns the oldest', async (backend) => {
    // The first holds only while queued; an operator's retry puts it back in the queue while the second holds.
    const first = await backend.insertUnique(newUniqueJob('report:42', { uniqueStates: ['queued'] }), {
      now: NOW,
    });
    const [running] = await backend.claim(claimRequest());
    assert.ok(running !== undefined);
    await finishJob(backend, running, 'failed', NOW + 10);
    const second = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 20 });
    assert.equal(second.created, true);
    assert.deepEqual(
      await backend.transition([{ id: first.id, from: ['failed'], to: 'queued', finishedAt: null }]),
      [true],
    );
    const third = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW + 30 });
    assert.deepEqual(third, { id: first.id, created: false });
  });

  test('concurrent insertUnique calls with one key create exactly one job, and all return its id', async (backend) => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, n) =>
        backend.insertUnique(newUniqueJob('report:42', { payload: `{"n":${n}}` }), { now: NOW }),
      ),
    );
    assert.equal(results.filter((result) => result.created).length, 1, 'exactly one call creates the job');
    assert.equal(new Set(results.map((result) => result.id)).size, 1, 'every call answers the same id');
    assert.equal(await jobCount(backend), 1);
  });

  test('concurrent insertUnique calls with different keys create one job per key', async (backend) => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        backend.insertUnique(newUniqueJob(`report:${n % 3}`), { now: NOW }),
      ),
    );
    assert.equal(results.filter((result) => result.created).length, 3);
    assert.equal(new Set(results.map((result) => result.id)).size, 3);
    assert.equal(await jobCount(backend), 3);
  });

  test('insertUnique of a record the store rejects throws and stores nothing', async (backend) => {
    const broken = { ...newUniqueJob('report:42'), task: null } as unknown as NewUniqueJob;
    await assert.rejects(backend.insertUnique(broken, { now: NOW }));
    assert.equal(await jobCount(backend), 0);
    assert.equal((await backend.insertUnique(newUniqueJob('report:42'), { now: NOW })).created, true);
  });

  test('an insertUnique given a transaction it cannot use throws and stores nothing', async (backend) => {
    await assert.rejects(
      backend.insertUnique(newUniqueJob('report:42'), { now: NOW, tx: { notATransaction: true } }),
    );
    assert.equal(await jobCount(backend), 0);
  });

  test("an insertUnique in a caller's transaction is kept when it commits", async (backend, {
    fixture,
    t,
  }) => {
    if (fixture.begin === undefined) return t.skip("the backend cannot join a caller's transaction");
    const transaction = await fixture.begin();
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW, tx: transaction.tx });
    await transaction.commit();
    assert.equal(first.created, true);
    assert.equal((await mustGet(backend, first.id)).uniqueKey, 'report:42');
    assert.deepEqual(await backend.insertUnique(newUniqueJob('report:42'), { now: NOW }), {
      id: first.id,
      created: false,
    });
  });

  test("an insertUnique in a caller's transaction is undone, key included, when it rolls back", async (backend, {
    fixture,
    t,
  }) => {
    if (fixture.begin === undefined) return t.skip("the backend cannot join a caller's transaction");
    const transaction = await fixture.begin();
    const first = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW, tx: transaction.tx });
    await transaction.rollback();
    assert.equal(await backend.get(first.id), null);
    const again = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    assert.equal(again.created, true, 'the key is free again');
  });

  test("a duplicate inside a caller's transaction answers the committed holder", async (backend, {
    fixture,
    t,
  }) => {
    if (fixture.begin === undefined) return t.skip("the backend cannot join a caller's transaction");
    const holder = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    const transaction = await fixture.begin();
    const duplicate = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW, tx: transaction.tx });
    await transaction.commit();
    assert.deepEqual(duplicate, { id: holder.id, created: false });
    assert.equal(await jobCount(backend), 1);
  });

  test('a claimed job keeps its uniqueKey', async (backend) => {
    const { id } = await backend.insertUnique(newUniqueJob('report:42'), { now: NOW });
    const [claimed] = await backend.claim(claimRequest());
    assert.equal(claimed?.id, id);
    assert.equal(claimed.uniqueKey, 'report:42');
  });
}
