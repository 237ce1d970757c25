// What an operator (the dashboard, a script) does to jobs through the app: delete, retry all the
// failed jobs of a task, read the throughput and the live workers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NonRetryableError } from '@errand/core';
import { createTestErrand } from '@errand/core/testing';

function failingApp() {
  const { app, clock } = createTestErrand();
  const flaky = app.task(
    'flaky',
    (input: { fail: boolean }) => {
      if (input.fail) throw new NonRetryableError('refused');
      return 'done';
    },
    { queue: 'mail' },
  );
  const other = app.task(
    'other',
    () => {
      throw new NonRetryableError('also refused');
    },
    { queue: 'mail' },
  );
  return { app, clock, flaky, other };
}

describe('operator actions', () => {
  it('deleteJob deletes a waiting or finished job, and refuses a running one', async () => {
    const { app, flaky } = failingApp();
    const waiting = await flaky.enqueue({ fail: false });
    assert.equal(await app.deleteJob(waiting.id), true);
    assert.equal(await waiting.status(), null);
    assert.equal(await app.deleteJob(waiting.id), false, 'already gone');

    const worker = app.worker();
    let release!: () => void;
    const slow = app.task('slow', () => new Promise<void>((resolve) => (release = resolve)));
    const running = await slow.enqueue({});
    await worker.start();
    while ((await running.status())?.state !== 'running') await new Promise((r) => setTimeout(r, 5));
    assert.equal(await app.deleteJob(running.id), false, 'a running job is refused');
    assert.equal((await running.status())?.state, 'running');
    release();
    await worker.stop();
    assert.equal(await app.deleteJob(running.id), true, 'once finished, it can go');
  });

  it('retryFailed retries the failed jobs of one task only, and says how many', async () => {
    const { app, flaky, other } = failingApp();
    const failed = await flaky.enqueueMany([{ fail: true }, { fail: true }, { fail: true }]);
    const succeeded = await flaky.enqueue({ fail: false });
    const otherFailed = await other.enqueue({});
    await app.drain();
    assert.equal(await app.retryFailed({ task: 'flaky' }), 3);
    for (const handle of failed) assert.equal((await handle.status())?.state, 'queued');
    assert.equal((await succeeded.status())?.state, 'succeeded');
    assert.equal((await otherFailed.status())?.state, 'failed');
    assert.equal(await app.retryFailed({ task: 'flaky', queue: 'elsewhere' }), 0);
  });

  it('throughput counts finished jobs per queue, outcome and minute, ending with the current minute', async () => {
    const { app, clock, flaky } = failingApp();
    await flaky.enqueueMany([{ fail: false }, { fail: false }, { fail: true }]);
    await app.drain();
    const firstMinute = Math.floor(clock.now() / 60_000) * 60_000;
    clock.advance('2m');
    await flaky.enqueue({ fail: false });
    await app.drain();
    const { since, until, bucketMs, points } = await app.throughput();
    assert.equal(bucketMs, 60_000);
    assert.equal(until.getTime() - since.getTime(), 3_600_000);
    assert.ok(until.getTime() > clock.now() && until.getTime() - clock.now() <= 60_000);
    assert.deepEqual(
      points.map((point) => [point.at.getTime() - firstMinute, point.queue, point.state, point.count]),
      [
        [0, 'mail', 'failed', 1],
        [0, 'mail', 'succeeded', 2],
        [120_000, 'mail', 'succeeded', 1],
      ],
    );
    clock.advance('2h');
    assert.deepEqual((await app.throughput()).points, [], 'an hour later the chart is empty');
  });

  it('workers lists the workers that sent a heartbeat in the last minute, with what they run', async () => {
    const { app, clock } = failingApp();
    const worker = app.worker({ queues: ['mail'], concurrency: 3 });
    await worker.start();
    const [alive] = await app.workers();
    assert.ok(alive, 'the started worker is listed');
    assert.deepEqual(alive.queues, ['mail']);
    assert.deepEqual([...alive.tasks].sort(), ['flaky', 'other']);
    assert.equal(alive.concurrency, 3);
    assert.equal(alive.heartbeatAt.getTime(), clock.now());
    await worker.stop();
    assert.deepEqual(await app.workers(), [], 'a stopped worker is forgotten');
  });
});
