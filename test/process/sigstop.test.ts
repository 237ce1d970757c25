// A worker process frozen (SIGSTOP) past its lease loses the job to another worker; when it
// wakes up (SIGCONT) and its handler finishes, the store refuses its late outcome, and the
// frozen worker goes on working normally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore, ready, runsOf, waitFor } from './helpers.ts';

const HANDLER_MS = 2_000;

/**
 * A takes a stubborn job and is frozen at once; B rescues the job after A's lease (1 s) and runs
 * it again. A is woken (once its own handler's time is up, so it finishes first thing) either
 * while B still runs the job, where only the lease token tells A's write from B's, or once B has
 * finished it.
 */
async function frozenWorker(resume: 'while B runs the job' | 'after B finished the job'): Promise<void> {
  const store = openStore();
  try {
    const a = store.startWorker({ lease: '1s' });
    await ready(a);
    const handle = await store.tasks.stubborn.enqueue({ ms: HANDLER_MS });
    await waitFor('A to start the job', () => runsOf(store.runs(), handle.id).length > 0);
    a.kill('SIGSTOP');
    const startedInA = runsOf(store.runs(), handle.id)[0]!;

    const b = store.startWorker({ lease: '1s' });
    if (resume === 'while B runs the job') {
      await waitFor('B to start the job', () =>
        runsOf(store.runs(), handle.id).some((run) => run.pid === b.pid),
      );
    } else {
      await waitFor('B to finish the job', async () => (await store.job(handle.id)).state === 'succeeded');
    }
    await sleep(Math.max(0, startedInA.at + HANDLER_MS + 100 - Date.now()));
    a.kill('SIGCONT');

    const late = new RegExp(
      `late outcome of job ${handle.id} rejected: this worker no longer holds its lease`,
    );
    const lost = new RegExp(`job ${handle.id} lease lost; its outcome will not be recorded`);
    await a.waitForStderr(new RegExp(`${late.source}|${lost.source}`));
    // The stubborn handler finishes before A's heartbeat runs, so the outcome reaches the store
    // and the store's check refuses it (rather than the heartbeat noticing the lost lease first).
    assert.match(a.stderr(), late, 'the store refused the late outcome');
    if (resume === 'while B runs the job') {
      const now = await store.job(handle.id);
      assert.equal(now.state, 'running', "B's attempt is still running after A's refused write");
      assert.equal(now.attempt, 2);
    }

    await waitFor('the job to succeed', async () => (await store.job(handle.id)).state === 'succeeded');
    const job = await store.job(handle.id);
    assert.deepEqual(job.result, { pid: b.pid }, "the stored result is B's, not A's late one");
    assert.equal(job.attempt, 2);
    assert.deepEqual(
      job.errors.map(({ attempt, name }) => ({ attempt, name })),
      [{ attempt: 1, name: 'LeaseExpiredError' }],
    );
    const runs = runsOf(store.runs(), handle.id).map(({ event, attempt, pid }) => ({ event, attempt, pid }));
    const finishedInA = { event: 'finished', attempt: 1, pid: a.pid };
    const finishedInB = { event: 'finished', attempt: 2, pid: b.pid };
    assert.deepEqual(
      runs,
      [
        { event: 'started', attempt: 1, pid: a.pid },
        { event: 'started', attempt: 2, pid: b.pid },
        ...(resume === 'while B runs the job' ? [finishedInA, finishedInB] : [finishedInB, finishedInA]),
      ],
      'both handlers ran to the end, in this order',
    );

    // A goes on: with B gone, A alone runs the next job.
    b.kill('SIGTERM');
    assert.equal((await b.exited).code, 0, b.stderr());
    const next = await store.tasks.quick.enqueue({ n: 1 });
    assert.deepEqual(await next.result({ timeout: '10s' }), { pid: a.pid });

    a.kill('SIGTERM');
    assert.equal((await a.exited).code, 0, a.stderr());
    // Each worker's outcome events, now that their output is all read.
    assert.equal(b.stdout(), `succeeded ${handle.id} 2\n`, 'one success in all, in B');
    assert.equal(a.stdout(), `succeeded ${next.id} 1\n`, 'A never counted the lost job as succeeded');
    assert.deepEqual(await store.countByState(), { succeeded: 2 }, 'nothing left running or queued');
  } finally {
    await store.dispose();
  }
}

test('a worker woken while another runs its lost job cannot complete it, and keeps working', () =>
  frozenWorker('while B runs the job'));

test('a worker woken after another finished its lost job cannot complete it, and keeps working', () =>
  frozenWorker('after B finished the job'));
