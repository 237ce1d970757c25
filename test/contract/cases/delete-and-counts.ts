import assert from 'node:assert/strict';

import type { FinishedCount } from '@errand/core';

import {
  claimRequest,
  finishedJob,
  insertOne,
  jobCount,
  mustGet,
  newUniqueJob,
  NOW,
  startJob,
  type ContractTest,
} from '../helpers.ts';

const MINUTE = 60_000;

function sorted(counts: readonly FinishedCount[]): FinishedCount[] {
  const key = (c: FinishedCount) => `${c.bucket}/${c.queue}/${c.state}`;
  return [...counts].sort((a, b) => key(a).localeCompare(key(b)));
}

export function deleteAndCountCases(test: ContractTest): void {
  test('deleteJob deletes a job in one of the given states, and only that job', async (backend) => {
    const kept = await insertOne(backend);
    const gone = await insertOne(backend, { payload: `"${'long payload '.repeat(20)}"` });
    assert.equal(await backend.deleteJob(gone, ['queued', 'failed']), true);
    assert.equal(await backend.get(gone), null);
    await mustGet(backend, kept);
    assert.equal(await jobCount(backend), 1, 'stats no longer counts it');
    const { jobs } = await backend.list({ limit: 10 });
    assert.deepEqual(
      jobs.map((job) => job.id),
      [kept],
      'list no longer shows it',
    );
  });

  test('a deleted job is never claimed, queued or scheduled', async (backend) => {
    const queued = await insertOne(backend);
    const scheduled = await insertOne(backend, { state: 'scheduled', runAt: NOW + 1_000 });
    const other = await insertOne(backend);
    assert.equal(await backend.deleteJob(queued, ['queued']), true);
    assert.equal(await backend.deleteJob(scheduled, ['scheduled']), true);
    const claimed = await backend.claim(claimRequest({ now: NOW + 2_000, limit: 10 }));
    assert.deepEqual(
      claimed.map((job) => job.id),
      [other],
    );
  });

  test('deleteJob keeps a job whose state is not in from', async (backend) => {
    const running = await startJob(backend, { task: 'runs' });
    assert.equal(await backend.deleteJob(running.id, ['queued', 'scheduled', 'failed']), false);
    assert.equal((await mustGet(backend, running.id)).state, 'running');
  });

  test('deleteJob of an unknown or malformed id is false', async (backend) => {
    assert.equal(await backend.deleteJob('999999', ['queued']), false);
    assert.equal(await backend.deleteJob('not-an-id', ['queued']), false);
  });

  test('deleteJob deletes a finished job, which then neither prunes nor counts', async (backend) => {
    const failed = await finishedJob(backend, 'failed', NOW - 1);
    assert.equal(await backend.deleteJob(failed, ['failed']), true);
    assert.equal(await backend.prune({ before: NOW, limit: 10 }), 0);
    assert.deepEqual(await backend.finishedCounts({ since: NOW - MINUTE, until: NOW, bucketMs: MINUTE }), []);
  });

  test('a deleted unique job no longer holds its key', async (backend) => {
    const first = await backend.insertUnique(newUniqueJob('report:1'), { now: NOW });
    assert.equal(await backend.deleteJob(first.id, ['queued']), true);
    const second = await backend.insertUnique(newUniqueJob('report:1'), { now: NOW });
    assert.equal(second.created, true);
    assert.notEqual(second.id, first.id);
  });

  test('finishedCounts groups finished jobs by queue, state and bucket within [since, until)', async (backend) => {
    const since = NOW - 3 * MINUTE;
    await finishedJob(backend, 'succeeded', since, { queue: 'mail' }); // first instant of bucket 0
    await finishedJob(backend, 'succeeded', since + MINUTE - 1, { queue: 'mail' }); // last of bucket 0
    await finishedJob(backend, 'failed', since + MINUTE, { queue: 'mail' }); // bucket 1
    await finishedJob(backend, 'cancelled', since + 2 * MINUTE + 5, { queue: 'media' }); // bucket 2
    await finishedJob(backend, 'succeeded', since - 1, { queue: 'mail' }); // before the window
    await finishedJob(backend, 'succeeded', NOW, { queue: 'mail' }); // at until: excluded
    await insertOne(backend, { queue: 'mail' }); // not finished
    const counts = await backend.finishedCounts({ since, until: NOW, bucketMs: MINUTE });
    assert.deepEqual(
      sorted(counts),
      sorted([
        { queue: 'mail', state: 'succeeded', bucket: since, count: 2 },
        { queue: 'mail', state: 'failed', bucket: since + MINUTE, count: 1 },
        { queue: 'media', state: 'cancelled', bucket: since + 2 * MINUTE, count: 1 },
      ]),
    );
  });

  test('finishedCounts leaves out a job retried out of its finished state', async (backend) => {
    const failed = await finishedJob(backend, 'failed', NOW - 10);
    await backend.transition([{ id: failed, from: ['failed'], to: 'queued', finishedAt: null }]);
    assert.deepEqual(await backend.finishedCounts({ since: NOW - MINUTE, until: NOW, bucketMs: MINUTE }), []);
  });

  test('finishedCounts of an empty window is empty', async (backend) => {
    assert.deepEqual(await backend.finishedCounts({ since: NOW - MINUTE, until: NOW, bucketMs: MINUTE }), []);
  });
}
