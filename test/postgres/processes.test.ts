// Several worker processes on one schema: every job runs, and none runs twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { skipUnlessReachable } from '../support/services.ts';
import { buildApp } from './fixtures/tasks.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';
import { killAll, startWorker, waitFor, type WorkerProcess } from './worker-processes.ts';

const PROCESSES = 4;
const JOBS = 20_000;

async function succeeded(app: ReturnType<typeof buildApp>['app']): Promise<number> {
  const stats = await app.stats();
  return stats.filter((group) => group.state === 'succeeded').reduce((sum, group) => sum + group.count, 0);
}

describe('postgres: several worker processes', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  it(`run ${JOBS} jobs between ${PROCESSES} processes, each exactly once`, { timeout: 90_000 }, async (t) => {
    const schema = testSchemaName();
    const { app, tasks } = buildApp({ url: POSTGRES_URL, schema });
    const workers: WorkerProcess[] = [];
    try {
      await app.stats(); // creates the schema before the workers start
      for (let i = 0; i < PROCESSES; i++) {
        workers.push(startWorker({ url: POSTGRES_URL, schema, concurrency: 25, quiet: true }));
      }
      await Promise.all(workers.map((worker) => worker.ready));

      // All four are idle and listening: one insert of the whole batch wakes them at once.
      const startedAt = performance.now();
      const handles = await tasks.noop.enqueueMany(Array.from({ length: JOBS }, (_, n) => ({ n })));
      await waitFor('every job to succeed', async () => (await succeeded(app)) === JOBS, {
        timeoutMs: 60_000,
        everyMs: 100,
      });
      const seconds = (performance.now() - startedAt) / 1_000;
      const ran = await Promise.all(workers.map((worker) => worker.stop()));

      const all = ran.flat();
      assert.equal(all.length, JOBS, 'as many executions as jobs: none ran twice');
      assert.deepEqual(new Set(all), new Set(handles.map((handle) => handle.id)), 'every job ran');
      for (const [index, ids] of ran.entries()) {
        assert.ok(ids.length > 0, `worker process ${index} ran no job: the others starved it`);
      }
      assert.deepEqual(await app.stats(), [
        { queue: 'default', task: 'noop', state: 'succeeded', count: JOBS },
      ]);
      t.diagnostic(
        `${JOBS} jobs in ${seconds.toFixed(1)} s (${Math.round(JOBS / seconds)} jobs/s) over ${PROCESSES} ` +
          `processes; per process: ${ran.map((ids) => ids.length).join(', ')}`,
      );
    } finally {
      await killAll(workers);
      await app.close();
      await dropSchema(schema);
    }
  });
});
