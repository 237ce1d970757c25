// Several worker processes on one file: every job is claimed exactly once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { sqliteBackend } from '@errand/sqlite';

import { removeDatabase, tempDatabasePath } from './temp-database.ts';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./fixtures/claim-worker.ts', import.meta.url));
const PROCESSES = 4;
const JOBS = 2_000;

describe('several worker processes on one file', () => {
  it('claim every job exactly once between them', { timeout: 60_000 }, async () => {
    const path = tempDatabasePath();
    try {
      const backend = sqliteBackend({ path });
      await backend.init();
      const job = {
        task: 'send-email',
        queue: 'default',
        state: 'queued',
        priority: 0,
        payload: '{}',
        maxAttempts: 3,
        runAt: 1_000_000,
        createdAt: 1_000_000,
      } as const;
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
});
