// SIGTERM to the real `errand worker` command: jobs that finish within --grace complete, jobs
// that don't are aborted through their signal and handed back at once; the process exits 0
// with no job left running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, ready, runsOf, waitFor } from './helpers.ts';

test('SIGTERM lets running jobs finish within --grace, claims nothing more, and exits 0', async () => {
  const store = openStore();
  try {
    // Two run at once (2 s each, long enough for SIGTERM to come first); the third waits for a slot.
    const handles = await store.tasks.slow.enqueueMany([{ ms: 2_000 }, { ms: 2_000 }, { ms: 2_000 }]);
    const worker = store.startCli(['--concurrency', '2', '--grace', '10s']);
    await ready(worker);
    const [first, second, third] = handles.map((handle) => handle.id) as [string, string, string];
    await waitFor('two jobs to start', () => store.runs().length === 2);

    worker.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.stderr());
    assert.match(worker.stderr(), /SIGTERM: stopping; running jobs have 10s to finish/);
    assert.doesNotMatch(worker.stderr(), /handing back/);

    for (const id of [first, second]) {
      const job = await store.job(id);
      assert.equal(job.state, 'succeeded', `job ${id} finished within the grace`);
      assert.deepEqual(job.result, { pid: worker.pid });
      assert.deepEqual(
        runsOf(store.runs(), id).map(({ event }) => event),
        ['started', 'finished'],
      );
    }
    const waiting = await store.job(third);
    assert.equal(waiting.state, 'queued', 'a stopping worker claims no new job');
    assert.equal(waiting.attempt, 0);
    assert.deepEqual(runsOf(store.runs(), third), []);
    assert.deepEqual(await store.countByState(), { succeeded: 2, queued: 1 }, 'nothing left running');
    assert.deepEqual(
      await (await store.app.storage()).listWorkers({ seenSince: 0 }),
      [],
      'worker signed off',
    );
  } finally {
    await store.dispose();
  }
});

test('SIGTERM aborts a job running past --grace through its signal and hands it back to queued at once', async () => {
  const store = openStore();
  try {
    const handle = await store.tasks.slow.enqueue({ ms: 60_000 });
    const worker = store.startCli(['--grace', '300ms']);
    await ready(worker);
    await waitFor('the job to start', () => store.runs().length === 1);
    const running = await store.job(handle.id);
    assert.equal(running.state, 'running');
    assert.equal(running.attempt, 1);

    const signalledAt = Date.now();
    worker.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.stderr());
    // Queued now, not once the lease (the CLI's default, 30 s) runs out.
    const job = await store.job(handle.id);
    assert.equal(job.state, 'queued');
    assert.equal(job.attempt, 0, 'the interrupted attempt does not count');
    assert.equal(job.startedAt, null);
    assert.equal(job.workerId, null);
    assert.deepEqual(job.errors, []);
    assert.ok(Date.now() - signalledAt < 5_000, 'exited soon after the grace');
    assert.match(worker.stderr(), /handing back 1 job\(s\) still running after the 300 ms grace/);

    const runs = runsOf(store.runs(), handle.id);
    assert.deepEqual(
      runs.map(({ event, attempt, pid, reason }) => ({ event, attempt, pid, reason })),
      [
        { event: 'started', attempt: 1, pid: worker.pid, reason: undefined },
        { event: 'aborted', attempt: 1, pid: worker.pid, reason: 'worker shutting down' },
      ],
      'the handler saw its signal aborted',
    );
    assert.ok(runs[1]!.at - signalledAt >= 250, 'aborted once the grace was over, not before');
    assert.deepEqual(await store.countByState(), { queued: 1 }, 'nothing left running');
  } finally {
    await store.dispose();
  }
});
