// PostgreSQL connections cut in the middle of a run (what a server restart or a network failure
// does to the workers): the workers log it, reconnect on their own, and no job is lost or left
// running.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { skipUnlessReachable } from '../support/services.ts';
import { buildApp } from './fixtures/tasks.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';
import { killAll, startWorker, waitFor, type WorkerProcess } from './worker-processes.ts';

const JOBS = 2_000;

describe('postgres: connections lost mid-run', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  it('lose no job, leave none running, and resume on their own', { timeout: 60_000 }, async (t) => {
    const schema = testSchemaName();
    const { app, tasks } = buildApp({ url: POSTGRES_URL, schema });
    const proxy = await TcpProxy.start(POSTGRES_URL);
    const workers: WorkerProcess[] = [];
    const count = async (state: string) =>
      (await app.stats())
        .filter((group) => group.state === state)
        .reduce((sum, group) => sum + group.count, 0);
    try {
      await app.stats();
      for (let i = 0; i < 2; i++) {
        workers.push(
          startWorker({ url: proxy.url(POSTGRES_URL), schema, concurrency: 10, lease: '2s', quiet: true }),
        );
      }
      await Promise.all(workers.map((worker) => worker.ready));

      const first = await tasks.sleep.enqueueMany(Array.from({ length: JOBS }, () => ({ ms: 5 })));
      await waitFor('a quarter of the jobs to succeed', async () => (await count('succeeded')) >= JOBS / 4);
      const runningAtCut = await count('running');
      await proxy.cut(1_000);
      const cutAt = Date.now();
      const succeededAtCut = await count('succeeded');

      // Jobs enqueued after the cut, directly: the workers must find them through fresh connections.
      const second = await tasks.sleep.enqueueMany(Array.from({ length: JOBS / 2 }, () => ({ ms: 5 })));
      await waitFor('every job to succeed', async () => (await count('succeeded')) === JOBS * 1.5, {
        timeoutMs: 40_000,
        everyMs: 100,
      });
      const recoveredInMs = Date.now() - cutAt;
      assert.equal(await count('running'), 0, 'no job left running');
      await waitFor('both workers to listen again', () =>
        workers.every((worker) => /listening for new jobs again/.test(worker.stderr())),
      );
      for (const worker of workers) {
        assert.ok(worker.alive(), `worker ${worker.pid} died:\n${worker.stderr()}`);
        assert.match(worker.stderr(), /lost the LISTEN connection/);
      }
      const ran = (await Promise.all(workers.map((worker) => worker.stop()))).flat();
      const ids = [...first, ...second].map((handle) => handle.id);
      const ranSet = new Set(ran);
      assert.deepEqual(
        ids.filter((id) => !ranSet.has(id)),
        [],
        'every job ran',
      );
      assert.deepEqual(await app.stats(), [
        { queue: 'default', task: 'sleep', state: 'succeeded', count: JOBS * 1.5 },
      ]);
      t.diagnostic(
        `cut with ${succeededAtCut} of ${JOBS} done and ${runningAtCut} running; all ${JOBS * 1.5} done ` +
          `${recoveredInMs} ms later; ${ran.length - ids.length} run twice (an outcome lost with its ` +
          `connection, run again after the lease); ${proxy.accepted} connections through the proxy`,
      );
    } finally {
      await killAll(workers);
      await proxy.close();
      await app.close();
      await dropSchema(schema);
    }
  });
});
