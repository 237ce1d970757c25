// A worker process killed with SIGKILL mid-job: once its lease runs out, another process runs the job.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { createErrand } from '@errand/core';
import { redisBackend } from '@errand/redis';

import { skipUnlessReachable } from '../support/services.ts';
import { startWorker, type WorkerProc } from './processes.ts';
import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from './support.ts';

describe('redis: a worker killed mid-job', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
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

  it('gives its job to another process after the lease', { timeout: 30_000 }, async (t) => {
    const hang = app.declare('hang');
    const doomed = startWorker({ url: REDIS_URL, prefix, lease: '1s', env: { HANG: '1' } });
    workers.push(doomed);
    await doomed.waitForLine(/^ready$/);
    const handle = await hang.enqueue({});
    await doomed.waitForLine(new RegExp(`^started ${handle.id} 1$`));

    const survivor = startWorker({ url: REDIS_URL, prefix, lease: '1s' });
    workers.push(survivor);
    await survivor.waitForLine(/^ready$/);
    const killedAt = performance.now();
    doomed.kill('SIGKILL');
    assert.equal((await doomed.exited).signal, 'SIGKILL');

    await survivor.waitForLine(new RegExp(`^ran ${handle.id} 2$`), 10_000);
    t.diagnostic(`ran again ${Math.round(performance.now() - killedAt)} ms after the kill (lease 1 s)`);
    await survivor.stop();

    const job = await handle.status();
    assert.equal(job?.state, 'succeeded');
    assert.equal(job?.attempt, 2);
    assert.match(JSON.stringify(job?.errors), /lease expired/);
  });
});
