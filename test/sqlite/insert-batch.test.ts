// insert() on SQLite takes up to 100 jobs per INSERT (sql/insert.sql): the ids still come back in
// input order, and a value SQLite cannot store still fails the whole batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { NewJob } from '@errand/core';
import { sqliteBackend } from '@errand/sqlite';

import { newJob } from '../contract/helpers.ts';

describe('sqlite insert batches', () => {
  it('return the ids of a large batch in input order', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await backend.init();
    await backend.insert([newJob()]);
    const jobs = Array.from({ length: 2_500 }, (_, n) => newJob({ task: `task-${n}`, priority: n % 7 }));
    const ids = await backend.insert(jobs);
    for (const [n, id] of ids.entries()) {
      const stored = await backend.get(id);
      assert.equal(stored?.task, `task-${n}`);
      assert.equal(stored?.priority, n % 7);
    }
    await backend.close();
  });

  it('refuse a value SQLite cannot store, storing none of the batch', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await backend.init();
    for (const wrong of [{ payload: { n: 1 } }, { priority: true }]) {
      const broken = { ...newJob(), ...wrong } as unknown as NewJob;
      const jobs = [...Array.from({ length: 150 }, () => newJob()), broken];
      await assert.rejects(backend.insert(jobs), JSON.stringify(Object.keys(wrong)));
    }
    assert.deepEqual(await backend.stats(), []);
    await backend.close();
  });
});
