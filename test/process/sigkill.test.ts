// A worker process killed with SIGKILL in the middle of a job loses nothing: once its lease runs
// out, another worker process runs the job again as its next attempt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, ready, runsOf, waitFor } from './helpers.ts';

test('a job whose worker is SIGKILLed runs again in another worker after the lease, and succeeds', async () => {
  const store = openStore();
  try {
    const a = store.startWorker({ lease: '1s' });
    await ready(a);
    const handle = await store.tasks.slow.enqueue({ ms: 2_000 });
    await waitFor('A to start the job', () => runsOf(store.runs(), handle.id).length > 0);

    a.kill('SIGKILL');
    assert.equal((await a.exited).signal, 'SIGKILL');
    const b = store.startWorker({ lease: '1s' });
    await waitFor('the job to succeed', async () => (await store.job(handle.id)).state === 'succeeded');
    const job = await store.job(handle.id);

    assert.deepEqual(job.result, { pid: b.pid }, 'B ran it to completion');
    assert.equal(job.attempt, 2, "A's lost attempt counts");
    assert.equal(job.errors.length, 1);
    assert.equal(job.errors[0]!.attempt, 1);
    assert.equal(job.errors[0]!.name, 'LeaseExpiredError');
    assert.match(job.errors[0]!.message, /lease expired: worker \S+ stopped renewing it/);

    const runs = runsOf(store.runs(), handle.id).map(({ event, attempt, pid }) => ({ event, attempt, pid }));
    assert.deepEqual(runs, [
      { event: 'started', attempt: 1, pid: a.pid },
      { event: 'started', attempt: 2, pid: b.pid },
      { event: 'finished', attempt: 2, pid: b.pid },
    ]);
    const restartedAt = runsOf(store.runs(), handle.id)[1]!.at;
    assert.ok(restartedAt >= job.errors[0]!.at, 'B ran it only once it was rescued');

    b.kill('SIGTERM');
    assert.equal((await b.exited).code, 0, b.stderr());
    assert.equal(b.stdout(), `succeeded ${handle.id} 2\n`);
    assert.deepEqual(await store.countByState(), { succeeded: 1 }, 'nothing left running or queued');
  } finally {
    await store.dispose();
  }
});
