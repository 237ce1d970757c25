import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createErrand } from '@errand/core';
import { errand, finished, FIXTURE, spawnErrand, tempStore, waitFor } from './helpers.ts';

const store = tempStore();
const env = { ERRAND_URL: store.url };
after(() => store.remove());

async function stateOf(id: string): Promise<string> {
  const shown = await errand(['job', id, '--json'], env);
  assert.equal(shown.code, 0, shown.stderr);
  return (JSON.parse(shown.stdout) as { state: string }).state;
}

test('cancel a scheduled job, then retry it; each refuses a job in the wrong state', async () => {
  const enqueued = await errand(['enqueue', 'orphan', '{"n":1}', '--delay', '1h', '--app', FIXTURE], env);
  const id = enqueued.stdout.trim();

  const cancelled = await errand(['cancel', id], env);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.equal(cancelled.stdout, `job ${id} cancelled\n`);
  const [state, cancelAgain] = await Promise.all([stateOf(id), errand(['cancel', id], env)]);
  assert.equal(state, 'cancelled');
  assert.equal(cancelAgain.code, 1);
  assert.equal(
    cancelAgain.stderr,
    `errand: job ${id} is cancelled; only scheduled, queued or running jobs can be cancelled\n`,
  );

  const retried = await errand(['retry', id], env);
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(retried.stdout, `job ${id} queued again\n`);
  const [stateAfter, retryAgain] = await Promise.all([stateOf(id), errand(['retry', id], env)]);
  assert.equal(stateAfter, 'queued');
  assert.equal(retryAgain.code, 1);
  assert.equal(
    retryAgain.stderr,
    `errand: job ${id} is queued; only failed or cancelled jobs can be retried\n`,
  );
});

test('a job that does not exist, or an id that is not one, is a clear error', async () => {
  const [missingCancel, missingRetry, missingJob, notAnId] = await Promise.all([
    errand(['cancel', '999'], env),
    errand(['retry', '999'], env),
    errand(['job', '999'], env),
    errand(['cancel', 'abc'], env),
  ]);
  for (const result of [missingCancel, missingRetry, missingJob]) {
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^errand: no job 999 \(never enqueued, or pruned after its retention\)\n$/);
  }
  assert.equal(notAnId.code, 2);
  assert.match(notAnId.stderr, /^errand: .*'abc'.*A job id is a whole number, like 42\.\n$/);
});

test('cancel of a running job asks its worker to abort it, and the job ends cancelled', async () => {
  const enqueued = await errand(['enqueue', 'slow', 'null', '--app', FIXTURE], env);
  const id = enqueued.stdout.trim();
  const worker = spawnErrand(['worker', FIXTURE], env);
  const exited = finished(worker);
  try {
    await waitFor('the slow job to start', async () => (await stateOf(id)) === 'running');
    const cancelled = await errand(['cancel', id], env);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(cancelled.stdout, `job ${id}: cancellation requested; its worker aborts it\n`);
    // The slow task sleeps 30 s on its signal: only the abort ends it this soon.
    await waitFor('the job to end cancelled', async () => (await stateOf(id)) === 'cancelled', {
      timeoutMs: 5_000,
    });
  } finally {
    worker.kill('SIGTERM');
  }
  assert.equal((await exited).code, 0);
  const shown = await errand(['job', id], env);
  assert.match(shown.stdout, /^ {2}state +cancelled$/m);
  assert.match(shown.stdout, /^ {2}attempt +1 of 4$/m);
});

test('job shows the unique and concurrency keys, and a cancellation requested of a running job', async () => {
  const app = createErrand({ backend: store.url });
  try {
    const exportCsv = app.declare<{ customer: string }>('export-csv', {
      concurrencyLimit: { max: 1, key: (input) => input.customer },
    });
    const handle = await exportCsv.enqueue({ customer: 'acme' }, { key: 'acme-2026-05' });
    const plain = await errand(['job', handle.id], env);
    assert.match(plain.stdout, /^ {2}unique key +export-csv:acme-2026-05$/m);
    assert.match(plain.stdout, /^ {2}concurrency key +export-csv:acme$/m);
    assert.match(plain.stdout, /^ {2}state +queued$/m);

    // A worker that has claimed the job and not yet seen the request (here, no worker looks at all).
    const backend = await app.storage();
    const now = Date.now();
    const [claimed] = await backend.claim({
      queues: null,
      tasks: ['export-csv'],
      limit: 1,
      workerId: 'far-away',
      leaseToken: 'lease-1',
      leaseUntil: now + 60_000,
      now,
    });
    assert.equal(claimed?.id, handle.id);
    const asked = await errand(['cancel', handle.id], env);
    assert.equal(asked.stdout, `job ${handle.id}: cancellation requested; its worker aborts it\n`);
    const [text, json] = await Promise.all([
      errand(['job', handle.id], env),
      errand(['job', handle.id, '--json'], env),
    ]);
    assert.match(text.stdout, /^ {2}state +running \(cancellation requested; its worker aborts it\)$/m);
    const job = JSON.parse(json.stdout) as { cancelRequested: boolean; uniqueKey: string };
    assert.deepEqual([job.cancelRequested, job.uniqueKey], [true, 'export-csv:acme-2026-05']);
  } finally {
    await app.close();
  }
});
