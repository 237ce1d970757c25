// Four worker processes on one Redis: every job runs, and none runs twice.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { createErrand } from '@errand/core';
import { redisBackend } from '@errand/redis';

import { skipUnlessReachable } from '../support/services.ts';
import { ranIds, startWorker, until, type WorkerProc } from './processes.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

const PROCESSES = 4;
const JOBS = 20_000;
const BATCH = 1_000;

describe('redis: several worker processes', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  const prefix = testPrefix();
  const workers: WorkerProc[] = [];
  const app = createErrand({
    backend: redisBackend({ url: REDIS_URL, prefix, logger: silentLogger }),
    logger: silentLogger,
  });
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await app.close();
    await deletePrefix(prefix);
  });

  it(`run each of ${JOBS} jobs exactly once between ${PROCESSES} of them`, { timeout: 60_000 }, async (t) => {
    const count = app.declare<{ n: number }>('count');
    for (let i = 0; i < PROCESSES; i++)
      workers.push(startWorker({ url: REDIS_URL, prefix, concurrency: 50 }));
    await Promise.all(workers.map((worker) => worker.waitForLine(/^ready$/)));

    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += BATCH) {
      const handles = await count.enqueueMany(Array.from({ length: BATCH }, (_, n) => ({ n: i + n })));
      for (const handle of handles) ids.push(handle.id);
    }
    await until(
      `all ${JOBS} jobs ran`,
      async () => workers.reduce((sum, worker) => sum + ranIds(worker.lines()).length, 0) >= JOBS,
      45_000,
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(workers.map((worker) => worker.stop()));

    const perProcess = workers.map((worker) => ranIds(worker.lines()));
    const all = perProcess.flat();
    t.diagnostic(
      `${JOBS} jobs in ${seconds.toFixed(1)} s (enqueue included), per process: ${perProcess.map((ran) => ran.length).join(', ')}`,
    );
    assert.equal(all.length, JOBS, 'no job ran twice');
    assert.deepEqual(new Set(all), new Set(ids), 'every job ran');
    assert.deepEqual(await app.stats(), [
      { queue: 'default', task: 'count', state: 'succeeded', count: JOBS },
    ]);
  });
});
