// Bad jobs in the real `errand worker` process: a corrupt stored payload, a non-Error thrown, a
// throw from a detached callback, a handler that never settles. Each ends as its task's policy
// says with a clear error, the process stays up, and normal jobs run as before afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, ready, runsOf, waitFor } from './helpers.ts';

test('bad jobs get clear errors, the worker process stays up and normal jobs still run', async () => {
  const store = openStore();
  try {
    const backend = await store.app.storage();
    const now = Date.now();
    const [corrupt] = await backend.insert([
      {
        task: 'quick',
        queue: 'default',
        state: 'queued',
        priority: 0,
        payload: 'not json{',
        maxAttempts: 3,
        runAt: now,
        createdAt: now,
      },
    ]);
    const throwsString = await store.tasks.throwsString.enqueue(null);
    const detached = await store.tasks.detachedThrow.enqueue(null);
    const neverSettles = await store.tasks.neverSettles.enqueue(null);
    // One job at a time: a slot that a bad job never gave back would stop everything after it.
    const worker = store.startCli(['--concurrency', '1', '--grace', '2s']);
    await ready(worker);

    const ids = [corrupt!, throwsString.id, detached.id, neverSettles.id];
    await waitFor('the bad jobs to finish', async () => {
      if (!worker.alive()) assert.fail(`the worker process exited; its stderr:\n${worker.stderr()}`);
      const jobs = await Promise.all(ids.map((id) => store.job(id)));
      return jobs.every((job) => job.state === 'failed' || job.state === 'succeeded');
    });

    const corruptJob = await store.job(corrupt!);
    assert.equal(corruptJob.state, 'failed', 'a corrupt payload is not retried');
    assert.equal(corruptJob.attempt, 1);
    assert.equal(corruptJob.errors.length, 1);
    assert.equal(corruptJob.errors[0]!.name, 'NonRetryableError');
    assert.match(
      corruptJob.errors[0]!.message,
      new RegExp(`^job ${corrupt} stored input is not valid JSON \\(`),
    );
    assert.deepEqual(runsOf(store.runs(), corrupt!), [], 'its handler never ran');

    const stringJob = await store.job(throwsString.id);
    assert.equal(stringJob.state, 'failed', 'retried once (retries: 1), then failed');
    assert.equal(stringJob.attempt, 2);
    assert.deepEqual(
      stringJob.errors.map(({ attempt, name, message }) => ({ attempt, name, message })),
      [
        { attempt: 1, name: 'Error', message: 'non-Error thrown: plain string' },
        { attempt: 2, name: 'Error', message: 'non-Error thrown: plain string' },
      ],
    );

    // Nothing ties an error thrown from a detached callback to the job that scheduled it: the job
    // ends as its handler did, and the worker logs the stray error and keeps going.
    const detachedJob = await store.job(detached.id);
    assert.equal(detachedJob.state, 'succeeded');
    assert.equal(detachedJob.result, 'returned');
    assert.match(
      worker.stderr(),
      /uncaught exception; the worker keeps running \{"error":\{"name":"Error","message":"detached"\}/,
    );

    const hungJob = await store.job(neverSettles.id);
    assert.equal(hungJob.state, 'failed', 'timed out with no retries left (retries: 0)');
    assert.equal(hungJob.attempt, 1);
    assert.deepEqual(
      hungJob.errors.map(({ name, message }) => ({ name, message })),
      [{ name: 'JobTimeoutError', message: 'attempt 1 timed out after 500 ms' }],
    );

    assert.ok(worker.alive(), 'the worker process is still up');
    const normal = await store.tasks.quick.enqueueMany(Array.from({ length: 20 }, (_, n) => ({ n })));
    const results = await Promise.all(normal.map((handle) => handle.result({ timeout: '10s' })));
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, () => ({ pid: worker.pid })),
    );
    for (const handle of normal) assert.equal(runsOf(store.runs(), handle.id).length, 1);

    worker.kill('SIGTERM');
    assert.equal((await worker.exited).code, 0, worker.stderr());
    assert.deepEqual(await store.countByState(), { failed: 3, succeeded: 21 }, 'nothing left running');
  } finally {
    await store.dispose();
  }
});
