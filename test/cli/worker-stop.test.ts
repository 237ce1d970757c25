import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { errand, finished, FIXTURE, spawnErrand, tempStore, waitFor, watch } from './helpers.ts';

const store = tempStore();
const env = { ERRAND_URL: store.url };
after(() => store.remove());

async function stateOf(id: string): Promise<string> {
  const shown = await errand(['job', id, '--json'], env);
  assert.equal(shown.code, 0, shown.stderr);
  return (JSON.parse(shown.stdout) as { state: string }).state;
}

test('SIGTERM hands back a job still running after --grace and exits 0; a second signal exits at once', async () => {
  const enqueued = await errand(['enqueue', 'slow', 'null', '--app', FIXTURE], env);
  const id = enqueued.stdout.trim();

  const graceful = spawnErrand(['worker', FIXTURE, '--grace', '300ms'], env);
  const gracefulExit = finished(graceful);
  await waitFor('the slow job to start', async () => (await stateOf(id)) === 'running');
  graceful.kill('SIGTERM');
  const stopped = await gracefulExit;
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stderr, /handing back 1 job\(s\) still running after the 300 ms grace/);
  assert.equal(await stateOf(id), 'queued');

  const impatient = spawnErrand(['worker', FIXTURE, '--grace', '30s'], env);
  const output = watch(impatient);
  await waitFor('the slow job to start again', async () => (await stateOf(id)) === 'running');
  impatient.kill('SIGTERM');
  await waitFor('the worker to see the first signal', async () => /SIGTERM: stopping/.test(output.stderr()));
  const startedAt = Date.now();
  impatient.kill('SIGTERM');
  const killed = await output.exited;
  assert.equal(killed.code, 143, killed.stderr);
  assert.ok(Date.now() - startedAt < 5_000);
  assert.match(killed.stderr, /SIGTERM again: exiting now/);
});
