// Enqueuers in separate processes race to enqueue the same keys: one job per key, and every
// process gets that job's id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleLogger, createErrand } from '@errand/core';
import { spawnFixture, tempStore, type Fixture } from './flow-helpers.ts';

const PROCESSES = 4;
const KEYS = 50;

type Result = { key: string; id: string; deduplicated: boolean };

test(`${PROCESSES} processes enqueuing the same ${KEYS} keys at once add ${KEYS} jobs`, async (t) => {
  const store = tempStore();
  const app = createErrand({ backend: store.url, logger: consoleLogger('warn') });
  const enqueuers: Fixture[] = [];
  try {
    await app.storage(); // the tables exist before the race
    enqueuers.push(
      ...Array.from({ length: PROCESSES }, () => spawnFixture('enqueuer', [String(KEYS)], store)),
    );
    await Promise.all(enqueuers.map((enqueuer) => enqueuer.printed('ready')));
    // Every process tries key n at the same moment: startAt + n * 4 ms (see fixtures/enqueuer.ts).
    const startAt = Date.now() + 200;
    for (const enqueuer of enqueuers) enqueuer.child.stdin!.write(`go ${startAt}\n`);
    const exits = await Promise.all(enqueuers.map((enqueuer) => enqueuer.exited));
    exits.forEach(({ code }, index) => assert.equal(code, 0, enqueuers[index]!.stderr()));
    const perProcess = enqueuers.map(
      (enqueuer) => JSON.parse(enqueuer.stdout().trimEnd().split('\n').at(-1)!) as Result[],
    );

    const stats = await app.stats();
    assert.deepEqual(stats, [{ queue: 'default', task: 'sync', state: 'queued', count: KEYS }]);
    const jobs = (await app.jobs({ limit: 500 })).jobs;
    for (let n = 1; n <= KEYS; n++) {
      const key = `key-${n}`;
      const results = perProcess.map((results) => results.find((result) => result.key === key)!);
      assert.equal(new Set(results.map((result) => result.id)).size, 1, `${key}: one id for every process`);
      assert.equal(results.filter((result) => !result.deduplicated).length, 1, `${key}: added once`);
      const job = jobs.find((candidate) => candidate.id === results[0]!.id);
      assert.equal(job?.uniqueKey, `sync:${key}`);
    }
    const added = perProcess.map((results) => results.filter((result) => !result.deduplicated).length);
    assert.ok(
      added.filter((count) => count > 0).length >= 2,
      `one process added every job: no race (${added.join(', ')})`,
    );
    t.diagnostic(`jobs added per process: ${added.join(', ')} (the others got the existing job)`);
  } finally {
    for (const enqueuer of enqueuers) enqueuer.child.kill('SIGKILL');
    await app.close();
    store.remove();
  }
});
