import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { errand, finished, FIXTURE, spawnErrand, tempStore, waitFor } from './helpers.ts';

const store = tempStore();
const env = { ERRAND_URL: store.url };
after(() => store.remove());

interface Page {
  jobs: { id: string; task: string; state: string; attempt: number; maxAttempts: number }[];
}

async function jobsIn(state: string): Promise<Page['jobs']> {
  const listed = await errand(['jobs', '--state', state, '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as Page).jobs;
}

async function enqueue(task: string, json: string): Promise<string> {
  const enqueued = await errand(['enqueue', task, json, '--app', FIXTURE], env);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  return enqueued.stdout.trim();
}

test('worker runs enqueued jobs, survives a stray throw, shows in stats, and exits 0 on SIGTERM', async () => {
  await enqueue('send-email', '{"to":"ada@example.com"}');
  const [, , failing] = await Promise.all([
    enqueue('send-email', '{"to":"grace@example.com"}'),
    enqueue('detached-throw', 'null'),
    enqueue('always-fails', 'null'),
    enqueue('orphan', '{"n":1}'),
  ]);

  const worker = spawnErrand(
    ['worker', FIXTURE, '--concurrency', '2', '--prefetch', '4', '--grace', '2s'],
    env,
  );
  const exited = finished(worker);
  try {
    await waitFor('the jobs to run', async () => (await jobsIn('succeeded')).length === 3);
    assert.deepEqual(
      (await jobsIn('failed')).map((job) => job.id),
      [failing],
    );

    const stats = await errand(['stats', '--json'], env);
    assert.equal(stats.code, 0, stats.stderr);
    const numbers = JSON.parse(stats.stdout) as {
      byTask: Record<string, { succeeded: number; failed: number; queued: number; total: number }>;
      workers: { tasks: string[] }[];
      unroutable: unknown[];
    };
    assert.equal(numbers.byTask['send-email']?.succeeded, 2);
    assert.equal(numbers.byTask['always-fails']?.failed, 1);
    assert.equal(numbers.byTask.orphan?.queued, 1);
    assert.equal(numbers.workers.length, 1);
    assert.deepEqual(numbers.workers[0]?.tasks.sort(), [
      'always-fails',
      'detached-throw',
      'send-email',
      'slow',
    ]);
    assert.deepEqual(numbers.unroutable, [{ queue: 'default', task: 'orphan', count: 1 }]);
    const text = await errand(['stats'], env);
    assert.match(text.stdout, /^workers alive: 1$/m);
    assert.match(
      text.stdout,
      /^unroutable: 1 waiting job that no live worker runs\n {2}orphan on queue default: 1$/m,
    );

    // An operator retries the failed job: it runs once more (one extra attempt) and fails again.
    const retried = await errand(['retry', failing], env);
    assert.equal(retried.code, 0, retried.stderr);
    await waitFor('the retried job to fail again', async () => {
      const [job] = await jobsIn('failed');
      return job?.attempt === 2;
    });
    const shown = await errand(['job', failing], env);
    assert.match(shown.stdout, /attempt 1, .*: NonRetryableError: the mail server said no\n\s+at /);
    assert.match(shown.stdout, /attempt 2, .*: NonRetryableError: the mail server said no/);
  } finally {
    worker.kill('SIGTERM');
  }
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /uncaught exception; the worker keeps running.*thrown from a detached timer/);
  assert.match(
    result.stderr,
    /unhandled promise rejection; the worker keeps running.*rejected and never awaited/,
  );
  assert.match(result.stderr, /SIGTERM: stopping/);
  assert.match(result.stderr, /worker \S+ stopped/);

  const afterStop = await errand(['stats', '--json'], env);
  assert.deepEqual((JSON.parse(afterStop.stdout) as { workers: unknown[] }).workers, []);
});
