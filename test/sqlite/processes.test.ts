// Several worker processes on one file: every job is claimed exactly once, and the flow-control verbs
// (unique inserts, schedule ticks, rate and concurrency limits) hold between processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { Backend } from '@errand/core';
import { sqliteBackend } from '@errand/sqlite';

import { removeDatabase, tempDatabasePath } from './temp-database.ts';
import { newJob } from '../contract/helpers.ts';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./fixtures/claim-worker.ts', import.meta.url));
const FLOW_WORKER = fileURLToPath(new URL('./fixtures/flow-worker.ts', import.meta.url));
const PROCESSES = 4;
const JOBS = 2_000;

describe('several worker processes on one file', () => {
  it('claim every job exactly once between them', { timeout: 60_000 }, async () => {
    const path = tempDatabasePath();
    try {
      const backend = sqliteBackend({ path });
      await backend.init();
      const job = newJob();
      const ids = await backend.insert(Array.from({ length: JOBS }, () => job));

      const startAt = String(Date.now() + 2_000);
      const outputs = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          run(process.execPath, ['--conditions=errand-source', '--import', 'tsx', WORKER, path, startAt]),
        ),
      );
      const perProcess = outputs.map(({ stdout }) => JSON.parse(stdout) as string[]);
      const all = perProcess.flat();

      assert.equal(all.length, JOBS, 'no job claimed twice, none left behind');
      assert.deepEqual(new Set(all), new Set(ids));
      const stats = await backend.stats();
      assert.deepEqual(stats, [{ queue: 'default', task: 'send-email', state: 'succeeded', count: JOBS }]);
      await backend.close();
    } finally {
      await removeDatabase(path);
    }
  });

  describe('flow control between processes', () => {
    /** Runs PROCESSES flow workers in `mode` on a fresh file prepared by `setUp`; returns each one's output. */
    async function race<T>(
      mode: string,
      setUp: (backend: Backend) => Promise<void>,
      check: (outputs: T[], backend: Backend) => Promise<void>,
    ): Promise<void> {
      const path = tempDatabasePath();
      try {
        const backend = sqliteBackend({ path });
        await backend.init();
        await setUp(backend);
        const outputs = await Promise.all(
          Array.from({ length: PROCESSES }, () =>
            run(process.execPath, [
              '--conditions=errand-source',
              '--import',
              'tsx',
              FLOW_WORKER,
              path,
              mode,
              String(PROCESSES),
            ]),
          ),
        );
        await check(
          outputs.map(({ stdout }) => JSON.parse(stdout) as T),
          backend,
        );
        await backend.close();
      } finally {
        await removeDatabase(path);
      }
    }

    const job = newJob();

    const jobCount = async (backend: Backend): Promise<number> =>
      (await backend.stats()).reduce((sum, group) => sum + group.count, 0);

    it(
      'insertUnique of one key creates one job, and every process gets its id',
      { timeout: 60_000 },
      async () => {
        type Result = { key: string; id: string; created: boolean };
        await race<Result[]>(
          'unique',
          async () => {},
          async (outputs, backend) => {
            const byKey = new Map<string, Result[]>();
            for (const result of outputs.flat())
              byKey.set(result.key, [...(byKey.get(result.key) ?? []), result]);
            const contested = [...byKey.values()].filter((results) => results.length > 1).length;
            assert.ok(contested > 10, `the processes raced for only ${contested} keys`);
            for (const [key, results] of byKey) {
              assert.equal(results.filter((result) => result.created).length, 1, `${key} created once`);
              assert.equal(new Set(results.map((result) => result.id)).size, 1, `${key}: one id for all`);
            }
            assert.equal(await jobCount(backend), byKey.size);
          },
        );
      },
    );

    it('each schedule tick fires at most once', { timeout: 60_000 }, async () => {
      await race<number[]>(
        'ticks',
        async (backend) => {
          await backend.recordSchedules(
            [{ name: 'fast', task: 'send-email', spec: '{"every":"1s"}', payload: '{}' }],
            0,
          );
        },
        async (outputs, backend) => {
          const fired = outputs.flat();
          assert.equal(new Set(fired).size, fired.length, 'a tick fired twice');
          assert.ok(
            outputs.filter((ticks) => ticks.length > 0).length > 1,
            `one process fired every tick: no race (${outputs.map((ticks) => ticks.length).join(', ')})`,
          );
          assert.equal(await jobCount(backend), fired.length, 'one job per fired tick');
          assert.equal((await backend.listSchedules())[0]?.lastTickAt, Math.max(...fired));
        },
      );
    });

    it(
      'rate-limited claims start at most max jobs in the period between them',
      { timeout: 60_000 },
      async () => {
        await race<string[]>(
          'rate',
          async (backend) => {
            await backend.insert(Array.from({ length: 40 }, () => job));
          },
          async (outputs) => {
            const claimed = outputs.flat();
            assert.equal(
              claimed.length,
              5,
              `started ${claimed.length} jobs in one period, with a limit of 5`,
            );
            assert.equal(new Set(claimed).size, 5);
          },
        );
      },
    );

    it(
      'concurrency-limited claims run at most one job per key between them',
      { timeout: 60_000 },
      async () => {
        await race<string[]>(
          'concurrency',
          async (backend) => {
            await backend.insert(
              Array.from({ length: 60 }, (_, n) => ({ ...job, concurrencyKey: `customer:${n % 12}` })),
            );
          },
          async (outputs, backend) => {
            const claimed = outputs.flat();
            assert.equal(new Set(claimed).size, claimed.length, 'a job claimed twice');
            const running = (await backend.list({ state: 'running', limit: 100 })).jobs;
            assert.equal(running.length, 12, 'one job of each of the 12 keys');
            assert.equal(new Set(running.map((runningJob) => runningJob.concurrencyKey)).size, 12);
            assert.deepEqual(new Set(claimed), new Set(running.map((runningJob) => runningJob.id)));
          },
        );
      },
    );
  });
});
