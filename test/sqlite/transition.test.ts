// transition() on SQLite is one UPDATE per 100 changes (sql/transition.sql): the jobs are found
// through the primary key, and a batch that names a job twice still applies its changes one after
// the other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { sqliteBackend } from '@errand/sqlite';

import { sqlStatement } from '../../packages/sqlite/src/sql.ts';
import { claimRequest, newJob, NOW } from '../contract/helpers.ts';

describe('sqlite transition batches', () => {
  it('find their jobs through the primary key, never by a scan', async () => {
    const db = new Database(':memory:');
    await sqliteBackend({ database: db }).init();
    const details = db
      .prepare<unknown[], { detail: string }>(
        `EXPLAIN QUERY PLAN ${sqlStatement('transition.sql', 'transition-jobs', 'errand_')}`,
      )
      .all(...Array<null>(13).fill(null))
      .map((row) => row.detail);
    assert.ok(details.includes('SEARCH errand_jobs USING INTEGER PRIMARY KEY (rowid=?)'), details.join('\n'));
    assert.deepEqual(
      details.filter((detail) => /^SCAN errand_jobs\b/.test(detail)),
      [],
    );
    db.close();
  });

  it('apply the changes of a job named twice in order, the second seeing the first', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await backend.init();
    const [a = '', b = '', c = ''] = await backend.insert([newJob(), newJob(), newJob()]);
    await backend.claim(claimRequest({ limit: 3 }));
    const lease = { from: ['running'] as const, leaseToken: 'lease-1' };
    const applied = await backend.transition([
      { id: a, ...lease, to: 'succeeded', result: '1', finishedAt: NOW },
      { id: b, ...lease, to: 'queued' },
      // a is no longer running: this one must not apply over the success.
      { id: a, ...lease, to: 'failed', errors: '[]', finishedAt: NOW },
      // b was handed back: cancelling it from queued applies.
      { id: b, from: ['queued'], to: 'cancelled', finishedAt: NOW },
      { id: c, ...lease, to: 'succeeded', result: '3', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [true, true, false, true, true]);
    assert.equal((await backend.get(a))?.state, 'succeeded');
    assert.equal((await backend.get(a))?.result, '1');
    assert.equal((await backend.get(b))?.state, 'cancelled');
    assert.equal((await backend.get(c))?.state, 'succeeded');
    await backend.close();
  });

  it('apply a batch of more changes than one statement takes', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await backend.init();
    const ids = await backend.insert(Array.from({ length: 250 }, () => newJob()));
    await backend.claim(claimRequest({ limit: 200 }));
    // 200 running jobs complete; the 50 still queued are cancelled, and a change for a job that
    // does not exist applies to nothing.
    const applied = await backend.transition([
      ...ids.map((id, n) =>
        n < 200
          ? {
              id,
              from: ['running'] as const,
              leaseToken: 'lease-1',
              to: 'succeeded' as const,
              finishedAt: NOW,
            }
          : { id, from: ['queued'] as const, to: 'cancelled' as const, finishedAt: NOW },
      ),
      { id: '999999', from: ['queued'], to: 'cancelled', finishedAt: NOW },
    ]);
    assert.deepEqual(applied, [...Array<boolean>(250).fill(true), false]);
    const counts = Object.fromEntries((await backend.stats()).map(({ state, count }) => [state, count]));
    assert.deepEqual(counts, { succeeded: 200, cancelled: 50 });
    await backend.close();
  });
});
