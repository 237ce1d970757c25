import assert from 'node:assert/strict';

import type { NewJob } from '@errand/core';

import { assertStrictlyIncreasing, insertOne, mustGet, newJob, NOW, type ContractTest } from '../helpers.ts';

export function insertCases(test: ContractTest): void {
  test('insert returns one decimal id per job, increasing in input order', async (backend) => {
    const ids = await backend.insert([newJob(), newJob(), newJob()]);
    assert.equal(ids.length, 3);
    for (const id of ids) assert.match(id, /^[1-9][0-9]*$/);
    assertStrictlyIncreasing(ids);
  });

  test('ids keep increasing across separate inserts', async (backend) => {
    const first = await backend.insert([newJob(), newJob()]);
    const second = await backend.insert([newJob()]);
    assertStrictlyIncreasing([...first, ...second]);
  });

  test('an empty batch inserts nothing and returns no ids', async (backend) => {
    assert.deepEqual(await backend.insert([]), []);
    assert.deepEqual(await backend.stats(), []);
  });

  test('get returns each inserted job as given, in input order', async (backend) => {
    const jobs = [
      newJob({ task: 'send-email', queue: 'mail', payload: '{"to":"ada@example.com"}', priority: 2 }),
      newJob({
        task: 'resize-image',
        queue: 'media',
        state: 'scheduled',
        runAt: NOW + 5_000,
        maxAttempts: 7,
        concurrencyKey: 'customer:7',
      }),
    ];
    const ids = await backend.insert(jobs);
    for (const [index, id] of ids.entries()) {
      const job = jobs[index] as NewJob;
      const stored = await mustGet(backend, id);
      assert.deepEqual(stored, {
        ...job,
        id,
        result: null,
        progress: null,
        errors: '[]',
        attempt: 0,
        startedAt: null,
        finishedAt: null,
        leaseToken: null,
        leaseUntil: null,
        workerId: null,
        uniqueKey: null,
        concurrencyKey: job.concurrencyKey ?? null,
        cancelRequested: false,
      });
    }
  });

  test('payload text is stored exactly, never parsed or reformatted', async (backend) => {
    const payload = '{ "b": 1,  "a": [1, 2.50], "emoji": "\u{1F4E6}" }';
    const id = await insertOne(backend, { payload });
    assert.equal((await mustGet(backend, id)).payload, payload);
  });

  test('get returns null for an id no job has', async (backend) => {
    await insertOne(backend);
    assert.equal(await backend.get('999999999'), null);
  });

  test('get returns null for an id that is not a number', async (backend) => {
    await insertOne(backend);
    assert.equal(await backend.get('not-an-id'), null);
  });

  test('a batch with a record the store rejects stores none of them', async (backend) => {
    // A JavaScript caller without types can send a job without a task; every store must refuse it.
    const broken = { ...newJob(), task: null } as unknown as NewJob;
    await assert.rejects(backend.insert([newJob({ task: 'first' }), broken, newJob({ task: 'third' })]));
    assert.deepEqual(await backend.stats(), []);
    assert.deepEqual((await backend.list({ limit: 10 })).jobs, []);
  });

  test('an insert given a transaction it cannot use throws and stores nothing', async (backend) => {
    await assert.rejects(backend.insert([newJob()], { tx: { notATransaction: true } }));
    assert.deepEqual(await backend.stats(), []);
  });

  test("an insert in a caller's transaction is kept when it commits", async (backend, { fixture, t }) => {
    if (fixture.begin === undefined) return t.skip("the backend cannot join a caller's transaction");
    const transaction = await fixture.begin();
    const [id] = await backend.insert([newJob()], { tx: transaction.tx });
    await transaction.commit();
    assert.ok(id !== undefined);
    assert.equal((await mustGet(backend, id)).task, 'send-email');
  });

  test("an insert in a caller's transaction is undone when it rolls back", async (backend, {
    fixture,
    t,
  }) => {
    if (fixture.begin === undefined) return t.skip("the backend cannot join a caller's transaction");
    const transaction = await fixture.begin();
    const [id] = await backend.insert([newJob()], { tx: transaction.tx });
    await transaction.rollback();
    assert.ok(id !== undefined);
    assert.equal(await backend.get(id), null);
  });

  test('changing a record after insert or get does not change the stored job', async (backend) => {
    const job = newJob();
    const [id = ''] = await backend.insert([job]);
    job.payload = '"changed by the caller"';
    const read = await mustGet(backend, id);
    read.state = 'cancelled';
    read.payload = '"changed by the reader"';
    const stored = await mustGet(backend, id);
    assert.equal(stored.state, 'queued');
    assert.equal(stored.payload, newJob().payload);
  });
}
