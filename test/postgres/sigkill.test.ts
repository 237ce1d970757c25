// A worker process killed in the middle of a job: the job runs again in another process once its
// lease runs out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { skipUnlessReachable } from '../support/services.ts';
import { buildApp } from './fixtures/tasks.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';
import { killAll, startWorker, waitFor, type WorkerProcess } from './worker-processes.ts';

describe(
  'postgres: a worker process killed mid-job',
  { skip: await skipUnlessReachable(POSTGRES_URL) },
  () => {
    it('gives its job to another process after the lease', { timeout: 60_000 }, async (t) => {
      const schema = testSchemaName();
      const { app, tasks } = buildApp({ url: POSTGRES_URL, schema });
      const workers: WorkerProcess[] = [];
      try {
        await app.stats();
        for (let i = 0; i < 2; i++) {
          workers.push(startWorker({ url: POSTGRES_URL, schema, concurrency: 1, lease: '1s' }));
        }
        await Promise.all(workers.map((worker) => worker.ready));

        const handle = await tasks.hangOnce.enqueue(null);
        await waitFor('a worker to start the job', () => workers.some((worker) => worker.starts.length > 0));
        const victim = workers.find((worker) => worker.starts.length > 0)!;
        const survivor = workers.find((worker) => worker !== victim)!;
        victim.kill('SIGKILL');
        const killedAt = Date.now();
        assert.equal((await victim.exited).signal, 'SIGKILL');

        await waitFor('the other process to run the job again', () => survivor.starts.length > 0, {
          timeoutMs: 10_000,
        });
        const rerunAfter = survivor.starts[0]!.at - killedAt;
        t.diagnostic(`run again ${Math.round(rerunAfter)} ms after the kill (lease 1 s)`);
        assert.deepEqual(survivor.starts[0], { ...survivor.starts[0], id: handle.id, attempt: 2 });
        assert.equal(await handle.result({ timeout: '5s' }), null);

        const job = (await handle.status())!;
        assert.equal(job.state, 'succeeded');
        assert.equal(job.attempt, 2);
        assert.deepEqual(
          job.errors.map((error) => [error.attempt, error.name]),
          [[1, 'LeaseExpiredError']],
        );
        assert.ok(rerunAfter < 5_000, `the job waited ${rerunAfter} ms after the kill for a 1 s lease`);
        await survivor.stop();
        assert.deepEqual(await app.stats(), [
          { queue: 'default', task: 'hang-once', state: 'succeeded', count: 1 },
        ]);
      } finally {
        await killAll(workers);
        await app.close();
        await dropSchema(schema);
      }
    });
  },
);
