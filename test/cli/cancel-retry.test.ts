import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { errand, FIXTURE, tempStore } from './helpers.ts';

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
    `errand: job ${id} is cancelled; only scheduled or queued jobs can be cancelled\n`,
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
