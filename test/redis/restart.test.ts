// Redis crashes mid-run and comes back: with AOF (appendfsync always) no acknowledged job is lost,
// and the workers reconnect and carry on by themselves.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createErrand } from '@errand/core';
import { redisBackend } from '@errand/redis';

import {
  ranIds,
  redisServerAvailable,
  startOwnRedis,
  startWorker,
  until,
  type OwnRedis,
  type WorkerProc,
} from './processes.ts';
import { testPrefix } from './support.ts';

const FIRST_BATCH = 4_000;

const skip = redisServerAvailable()
  ? false
  : 'redis-server is not installed: this test starts one of its own';

describe('redis: a Redis restart mid-run', { skip }, () => {
  const prefix = testPrefix();
  const workers: WorkerProc[] = [];
  let server: OwnRedis | undefined;
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await server?.dispose();
  });

  it('loses no acknowledged job, and the workers resume on their own', { timeout: 60_000 }, async (t) => {
    server = await startOwnRedis();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
    const app = createErrand({ backend: redisBackend({ url: server.url, prefix, logger }), logger });
    const slow = app.declare<{ ms: number }>('slow');
    try {
      for (let i = 0; i < 2; i++) {
        workers.push(startWorker({ url: server.url, prefix, concurrency: 10, lease: '2s' }));
      }
      await Promise.all(workers.map((worker) => worker.waitForLine(/^ready$/)));

      // Jobs enqueued and acknowledged: a first batch, then one at a time until after the restart.
      const acknowledged: string[] = [];
      let failedEnqueues = 0;
      for (const handle of await slow.enqueueMany(Array.from({ length: FIRST_BATCH }, () => ({ ms: 2 })))) {
        acknowledged.push(handle.id);
      }
      let producing = true;
      const producer = (async () => {
        while (producing) {
          try {
            acknowledged.push((await slow.enqueue({ ms: 2 })).id);
          } catch {
            failedEnqueues++;
          }
          await sleep(2);
        }
      })();

      const ran = () => workers.reduce((sum, worker) => sum + ranIds(worker.lines()).length, 0);
      await until('a quarter of the first batch ran', async () => ran() >= FIRST_BATCH / 4);
      await server.crash();
      const ranAtCrash = ran();
      await sleep(1_000);
      await server.restart();
      await until('the workers run jobs again', async () => ran() > ranAtCrash + 100, 20_000);
      await sleep(500);
      producing = false;
      await producer;

      const wanted = new Set(acknowledged);
      await until(
        `all ${wanted.size} acknowledged jobs ran`,
        async () => {
          const seen = new Set(workers.flatMap((worker) => ranIds(worker.lines())));
          return [...wanted].every((id) => seen.has(id));
        },
        30_000,
        200,
      );
      const runs = workers.flatMap((worker) => ranIds(worker.lines()));
      t.diagnostic(
        `${wanted.size} acknowledged jobs, ${failedEnqueues} enqueue(s) failed during the outage, ` +
          `${runs.length - new Set(runs).size} job(s) ran twice (at least once is the promise), ${ranAtCrash} ran before the crash`,
      );

      for (let i = 0; i < acknowledged.length; i += 500) {
        const jobs = await Promise.all(acknowledged.slice(i, i + 500).map((id) => app.job(id).status()));
        for (const [k, job] of jobs.entries()) {
          assert.equal(job?.state, 'succeeded', `job ${acknowledged[i + k]} should have succeeded`);
        }
      }
      for (const worker of workers) {
        assert.match(worker.stderr(), /lost the command connection to Redis/, 'the worker logs the loss');
        assert.match(
          worker.stderr(),
          /the command connection to Redis at .* is back after/,
          'and the reconnection',
        );
      }
      assert.ok(warnings.some((message) => /lost the command connection/.test(message)));
      await Promise.all(workers.map((worker) => worker.stop()));
    } finally {
      await app.close();
    }
  });
});
