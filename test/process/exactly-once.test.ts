// Several worker processes on one SQLite file, nothing crashing: every job runs exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore, ready, waitFor } from './helpers.ts';

const PROCESSES = 4;
const JOBS = 20_000;
const BATCH = 500;

test(
  `${PROCESSES} worker processes run each of ${JOBS} jobs exactly once`,
  { timeout: 40_000 },
  async (t) => {
    const store = openStore();
    try {
      // The default lease. A short one can run out here with nothing crashing: while a write waits
      // for SQLite's lock (busy_timeout, 5 s) the process is blocked, its heartbeat too, and on a
      // loaded machine a 1 s lease then expires and the job rightly runs again (at least once).
      const workers = Array.from({ length: PROCESSES }, () =>
        store.startWorker({ concurrency: 10, lease: '30s' }),
      );
      await Promise.all(workers.map(ready));

      const startedAt = Date.now();
      const ids: string[] = [];
      // In batches while the workers run, so that claims contend with inserts and with each other.
      for (let n = 0; n < JOBS; n += BATCH) {
        const handles = await store.tasks.quick.enqueueMany(
          Array.from({ length: BATCH }, (_, i) => ({ n: n + i })),
        );
        ids.push(...handles.map((handle) => handle.id));
        await sleep(20);
      }
      await waitFor('every job to succeed', async () => (await store.countByState()).succeeded === JOBS, {
        timeoutMs: 25_000,
        everyMs: 100,
      });
      const elapsedMs = Date.now() - startedAt;

      const runs = store.runs();
      const perJob = new Map<string, number>();
      for (const run of runs) perJob.set(run.job, (perJob.get(run.job) ?? 0) + 1);
      const twice = [...perJob].filter(([, count]) => count > 1).map(([id]) => id);
      if (twice.length > 0) {
        const warnings = workers.flatMap((worker) =>
          worker
            .stderr()
            .split('\n')
            .filter((line) => / (warn|error) /.test(line))
            .map((line) => `${worker.pid}: ${line.slice(0, 300)}`),
        );
        assert.fail(
          `${twice.length} job(s) ran more than once, e.g. ${twice[0]}: ` +
            `${JSON.stringify(runs.filter((run) => run.job === twice[0]))}; ` +
            `job now: ${JSON.stringify(await store.job(twice[0]!))}\nworker warnings:\n${warnings.slice(0, 30).join('\n')}`,
        );
      }
      assert.equal(runs.length, JOBS);
      assert.deepEqual(new Set(perJob.keys()), new Set(ids), 'every job ran');
      assert.ok(
        runs.every((run) => run.attempt === 1),
        'each on its first attempt',
      );

      const perProcess = workers.map((worker) => runs.filter((run) => run.pid === worker.pid).length);
      t.diagnostic(`${JOBS} jobs in ${elapsedMs} ms; runs per process: ${perProcess.join(', ')}`);

      for (const worker of workers) worker.kill('SIGTERM');
      for (const [index, worker] of workers.entries()) {
        assert.equal((await worker.exited).code, 0, worker.stderr());
        // Read once it exited, so that every line it wrote is in.
        const succeeded = worker.stdout().match(/^succeeded \S+ 1$/gm)?.length ?? 0;
        assert.equal(succeeded, perProcess[index], 'each recorded the outcome of every job it ran');
        assert.doesNotMatch(worker.stderr(), /late outcome|lease lost|rescued|failed/);
      }
      assert.deepEqual(await store.countByState(), { succeeded: JOBS }, 'none left queued or running');
    } finally {
      await store.dispose();
    }
  },
);
