import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand, JobCancelledError, type Errand } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { createTestErrand } from '@errand/core/testing';
import { recordingLogger } from './recording-logger.ts';

function memoryApp(): Errand {
  return createErrand({ backend: memoryBackend(), logger: recordingLogger() });
}

/** Runs `body` while tracking how many calls of the returned wrapper run at once, by key. */
function concurrencyProbe() {
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  return {
    peak,
    async around(key: string, body: () => Promise<void>) {
      const now = (running.get(key) ?? 0) + 1;
      running.set(key, now);
      peak.set(key, Math.max(peak.get(key) ?? 0, now));
      try {
        await body();
      } finally {
        running.set(key, running.get(key)! - 1);
      }
    },
  };
}

describe('unique jobs', () => {
  it('return the existing job while it is active, and a new one once it finished', async () => {
    const { app } = createTestErrand();
    const report = app.task('build-report', (input: { month: string }) => input.month);
    const first = await report.enqueue({ month: '2026-10' }, { key: '2026-10' });
    const again = await report.enqueue({ month: '2026-10' }, { key: '2026-10' });
    assert.equal(again.id, first.id);
    assert.equal(again.deduplicated, true);
    assert.equal(first.deduplicated, false);
    const job = (await first.status())!;
    assert.equal(job.uniqueKey, 'build-report:2026-10', 'keys are per task');
    assert.equal(job.cancelRequested, false);
    const other = await report.enqueue({ month: '2026-11' }, { key: '2026-11' });
    assert.notEqual(other.id, first.id);
    await app.drain();
    const after = await report.enqueue({ month: '2026-10' }, { key: '2026-10' });
    assert.notEqual(after.id, first.id, 'the key was released when the job succeeded');
  });

  it("with unique: 'queued' a running job no longer holds the key", async () => {
    const app = memoryApp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sync = app.task('sync', () => gate);
    const worker = app.worker({ concurrency: 1 });
    await worker.start();
    try {
      const first = await sync.enqueue(null, { key: 'account-1', unique: 'queued' });
      while ((await first.status())!.state !== 'running') await sleep(5);
      const second = await sync.enqueue(null, { key: 'account-1', unique: 'queued' });
      assert.notEqual(second.id, first.id);
      const third = await sync.enqueue(null, { key: 'account-1', unique: 'queued' });
      assert.equal(third.id, second.id, 'the queued one holds it');
    } finally {
      release();
      await worker.stop();
    }
  });

  it('with unique: { for } hold the key for the period whatever happens to the job', async () => {
    const { app, clock } = createTestErrand();
    const notify = app.task('notify', () => undefined);
    const first = await notify.enqueue(null, { key: 'user-7', unique: { for: '1h' } });
    await app.drain();
    assert.equal((await notify.enqueue(null, { key: 'user-7', unique: { for: '1h' } })).id, first.id);
    clock.advance('61m');
    assert.notEqual((await notify.enqueue(null, { key: 'user-7', unique: { for: '1h' } })).id, first.id);
  });

  it('add exactly one job under concurrent enqueues', async () => {
    const { app } = createTestErrand();
    const task = app.declare<number>('dedupe');
    const handles = await Promise.all(Array.from({ length: 50 }, (_, i) => task.enqueue(i, { key: 'same' })));
    assert.equal(new Set(handles.map((handle) => handle.id)).size, 1);
    assert.equal(handles.filter((handle) => !handle.deduplicated).length, 1);
  });
});

describe('limits across workers', () => {
  it('a task concurrency limit holds across two workers', async () => {
    const app = memoryApp();
    const probe = concurrencyProbe();
    const exportCsv = app.task('export', () => probe.around('export', () => sleep(30)), {
      concurrencyLimit: 2,
    });
    await exportCsv.enqueueMany(Array.from({ length: 12 }, () => null));
    const workers = [app.worker({ concurrency: 5 }), app.worker({ concurrency: 5 })];
    await Promise.all(workers.map((worker) => worker.start()));
    while ((await app.stats()).some((group) => group.state !== 'succeeded')) await sleep(20);
    await Promise.all(workers.map((worker) => worker.stop()));
    assert.equal(probe.peak.get('export'), 2);
  });

  it('a keyed concurrency limit allows one per key and runs different keys side by side', async () => {
    const app = memoryApp();
    const probe = concurrencyProbe();
    let overall = 0;
    let peakOverall = 0;
    const exportCsv = app.task(
      'export',
      async (input: { customer: string }) => {
        peakOverall = Math.max(peakOverall, ++overall);
        await probe.around(input.customer, () => sleep(30));
        overall--;
      },
      { concurrencyLimit: { max: 1, key: (input) => input.customer } },
    );
    await exportCsv.enqueueMany(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c'].map((customer) => ({ customer })));
    const worker = app.worker({ concurrency: 10 });
    await worker.start();
    while ((await app.stats()).some((group) => group.state !== 'succeeded')) await sleep(20);
    await worker.stop();
    assert.deepEqual([...probe.peak.values()], [1, 1, 1]);
    const [job] = (await app.jobs({ limit: 1 })).jobs;
    assert.match(job!.concurrencyKey!, /^export:[abc]$/);
    assert.ok(peakOverall >= 2, 'different customers ran at the same time');
  });

  it('a task rate limit caps starts in every window', async () => {
    const app = memoryApp();
    const ran: string[] = [];
    const send = app.task('send', (_input: null, ctx) => void ran.push(ctx.jobId), {
      rateLimit: { max: 5, per: '200ms' },
    });
    await send.enqueueMany(Array.from({ length: 15 }, () => null));
    const workers = [
      app.worker({ concurrency: 10, pollInterval: '20ms' }),
      app.worker({ concurrency: 10, pollInterval: '20ms' }),
    ];
    await Promise.all(workers.map((worker) => worker.start()));
    while (ran.length < 15) await sleep(20);
    await Promise.all(workers.map((worker) => worker.stop()));
    // A start is the claim's time, as the store records it (the README says handlers start a little later).
    const starts = await Promise.all(
      ran.map(async (id) => (await app.job(id).status())!.startedAt!.getTime()),
    );
    for (const start of starts) {
      const inWindow = starts.filter((other) => other >= start && other < start + 200).length;
      assert.ok(inWindow <= 5, `${inWindow} starts within 200 ms`);
    }
  });

  it('a queue rate limit caps its jobs, and other queues run freely', async () => {
    const app = memoryApp();
    app.queue('emails', { rateLimit: { max: 3, per: '1s' } });
    const sent: string[] = [];
    const send = app.task('send', (queue: string) => void sent.push(queue));
    await send.enqueueMany(
      Array.from({ length: 6 }, () => 'emails'),
      { queue: 'emails' },
    );
    await send.enqueueMany(Array.from({ length: 6 }, () => 'default'));
    const worker = app.worker({ concurrency: 20, pollInterval: '20ms' });
    await worker.start();
    await sleep(300);
    await worker.stop();
    assert.equal(sent.filter((queue) => queue === 'emails').length, 3);
    assert.equal(sent.filter((queue) => queue === 'default').length, 6);
  });

  it('per-queue slots bound each queue', async () => {
    const app = memoryApp();
    const probe = concurrencyProbe();
    const work = app.task('work', (queue: string) => probe.around(queue, () => sleep(20)));
    await work.enqueueMany(
      Array.from({ length: 8 }, () => 'a'),
      { queue: 'a' },
    );
    await work.enqueueMany(
      Array.from({ length: 8 }, () => 'b'),
      { queue: 'b' },
    );
    const worker = app.worker({ queues: { a: 1, b: 3 }, concurrency: 10 });
    await worker.start();
    while ((await app.stats()).some((group) => group.state !== 'succeeded')) await sleep(20);
    await worker.stop();
    assert.equal(probe.peak.get('a'), 1);
    assert.equal(probe.peak.get('b'), 3);
  });
});

describe('pausing a queue', () => {
  it('stops claims from it until it is resumed; its jobs stay', async () => {
    const app = memoryApp();
    const ran: string[] = [];
    const task = app.task('t', (name: string) => void ran.push(name));
    await app.pauseQueue('bulk');
    assert.deepEqual(await app.pausedQueues(), ['bulk']);
    const worker = app.worker({ pollInterval: '20ms' });
    await worker.start();
    try {
      const held = await task.enqueue('held', { queue: 'bulk' });
      await (await task.enqueue('free')).result({ timeout: '2s' });
      await sleep(100);
      assert.equal((await held.status())!.state, 'queued');
      await app.resumeQueue('bulk');
      await held.result({ timeout: '2s' });
      assert.deepEqual(ran, ['free', 'held']);
    } finally {
      await worker.stop();
    }
  });
});

describe('cancelling a running job', () => {
  it('aborts its signal within a second and ends it cancelled when the handler gives up', async () => {
    const app = memoryApp();
    const long = app.task('long', async (_: null, ctx) => {
      await new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
      );
    });
    const worker = app.worker();
    await worker.start();
    try {
      const handle = await long.enqueue(null);
      while ((await handle.status())!.state !== 'running') await sleep(5);
      const asked = performance.now();
      assert.equal(await handle.cancel(), true);
      await assert.rejects(handle.result({ timeout: '2s' }), JobCancelledError);
      assert.ok(performance.now() - asked < 1_000);
      assert.equal((await handle.status())!.state, 'cancelled');
    } finally {
      await worker.stop();
    }
  });

  it('reaches a worker in another app on the same store (as in another process)', async () => {
    const backend = memoryBackend();
    const workerApp = createErrand({ backend, logger: recordingLogger() });
    const webApp = createErrand({ backend, logger: recordingLogger() });
    workerApp.task('long', async (_: null, ctx) => {
      await new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
      );
    });
    const long = webApp.declare('long');
    const worker = workerApp.worker();
    await worker.start();
    try {
      const handle = await long.enqueue(null);
      while ((await handle.status())!.state !== 'running') await sleep(5);
      const asked = performance.now();
      assert.equal(await handle.cancel(), true);
      while ((await handle.status())!.state === 'running') await sleep(10);
      assert.ok(performance.now() - asked < 1_000, 'within a second');
      assert.equal((await handle.status())!.state, 'cancelled');
    } finally {
      await worker.stop();
    }
  });

  it('a handler that ignores the signal and finishes still succeeds', async () => {
    const app = memoryApp();
    const stubborn = app.task('stubborn', async () => {
      await sleep(100);
      return 'done anyway';
    });
    const worker = app.worker();
    await worker.start();
    try {
      const handle = await stubborn.enqueue(null);
      while ((await handle.status())!.state !== 'running') await sleep(5);
      await handle.cancel();
      assert.equal(await handle.result({ timeout: '2s' }), 'done anyway');
    } finally {
      await worker.stop();
    }
  });
});
