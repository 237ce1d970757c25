import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand, JobCancelledError, type Backend, type ClaimRequest } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { recordingLogger } from './recording-logger.ts';

/** A memory store that records every claim request. */
function recordingStore(): { backend: Backend; claims: ClaimRequest[] } {
  const backend = memoryBackend();
  const claims: ClaimRequest[] = [];
  const claim = backend.claim.bind(backend);
  backend.claim = (request) => {
    claims.push(request);
    return claim(request);
  };
  return { backend, claims };
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A task whose handler waits until the test opens its gate: it keeps a slot busy. */
function gatedTask(app: ReturnType<typeof createErrand>) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const started: number[] = [];
  const task = app.task('gated', async (n: number) => {
    started.push(n);
    if (n === 0) await gate;
  });
  return { task, started, open: () => open() };
}

describe('a worker with prefetch', () => {
  it('claims ahead of its free slots, yet runs no more than its concurrency at once, each job once', async () => {
    const { backend, claims } = recordingStore();
    const app = createErrand({ backend, logger: recordingLogger() });
    const runs = new Map<number, number>();
    let running = 0;
    let most = 0;
    const work = app.task('work', async (n: number) => {
      most = Math.max(most, ++running);
      runs.set(n, (runs.get(n) ?? 0) + 1);
      await sleep(1);
      running--;
    });
    await work.enqueueMany(Array.from({ length: 300 }, (_, n) => n));
    const worker = app.worker({ concurrency: 5, prefetch: 20, pollInterval: '20ms' });
    await worker.start();
    await waitFor(() => runs.size === 300, 'every job');
    await worker.stop();
    await app.close();
    assert.ok(most <= 5, `${most} jobs ran at once, over the concurrency of 5`);
    assert.equal(most, 5);
    assert.ok(
      [...runs.values()].every((count) => count === 1),
      'a job ran twice',
    );
    assert.equal(Math.max(...claims.map((claim) => claim.limit)), 25, 'the first claim takes 5 + 20');
    // Later claims come while held jobs still wait, each for the room left ahead.
    assert.ok(
      claims.filter((claim) => claim.limit >= 10).length >= 300 / 25,
      'claims kept taking many jobs at a time',
    );
  });

  it('keeps held jobs leased while a long job holds the only slot: none is rescued or run twice', async () => {
    const app = createErrand({ backend: memoryBackend(), logger: recordingLogger() });
    const { task, started, open } = gatedTask(app);
    const first = await task.enqueue(0);
    const held = await task.enqueueMany([1, 2, 3]);
    // Lease 300 ms: maintenance rescues expired leases every 150 ms; the slot stays busy for 1 s.
    const worker = app.worker({ concurrency: 1, prefetch: 3, lease: '300ms', pollInterval: '20ms' });
    await worker.start();
    try {
      await waitFor(async () => (await held[2]!.status())!.state === 'running', 'the held jobs claimed');
      assert.deepEqual(started, [0], 'held jobs wait for the slot');
      await sleep(1_000);
      assert.deepEqual(started, [0], 'no held job started, here or through a rescue');
      for (const handle of held) assert.equal((await handle.status())!.attempt, 1);
      open();
      await Promise.all([first, ...held].map((handle) => handle.result({ timeout: '5s' })));
      assert.deepEqual(started, [0, 1, 2, 3], 'they start in claim order, once each');
      for (const handle of held) assert.equal((await handle.status())!.attempt, 1);
    } finally {
      open();
      await worker.stop({ grace: '1s' });
      await app.close();
    }
  });

  it('cancels a held job without running it; the others still run', async () => {
    const app = createErrand({ backend: memoryBackend(), logger: recordingLogger() });
    const { task, started, open } = gatedTask(app);
    await task.enqueue(0);
    const [keep, drop] = await task.enqueueMany([1, 2]);
    const worker = app.worker({ concurrency: 1, prefetch: 2, pollInterval: '20ms' });
    const cancelled: string[] = [];
    worker.on('cancelled', (job) => cancelled.push(job.id));
    await worker.start();
    try {
      await waitFor(async () => (await drop!.status())!.state === 'running', 'the held jobs claimed');
      assert.equal(await drop!.cancel(), true);
      await assert.rejects(drop!.result({ timeout: '2s' }), JobCancelledError);
      const after = (await drop!.status())!;
      assert.equal(after.state, 'cancelled');
      assert.equal(after.attempt, 0, 'an attempt that never ran does not count');
      assert.equal(after.workerId, null);
      assert.deepEqual(cancelled, [drop!.id]);
      open();
      await keep!.result({ timeout: '5s' });
      assert.deepEqual(started, [0, 1], 'the cancelled job never ran');
    } finally {
      open();
      await worker.stop({ grace: '1s' });
      await app.close();
    }
  });

  it('hands held jobs back to their queue on stop, their attempts not counted', async () => {
    const app = createErrand({ backend: memoryBackend(), logger: recordingLogger() });
    const { task, started, open } = gatedTask(app);
    const first = await task.enqueue(0);
    const held = await task.enqueueMany([1, 2, 3]);
    const worker = app.worker({ concurrency: 1, prefetch: 3, pollInterval: '20ms' });
    await worker.start();
    try {
      await waitFor(async () => (await held[2]!.status())!.state === 'running', 'the held jobs claimed');
    } finally {
      const stopped = worker.stop({ grace: '5s' });
      await sleep(50);
      open();
      await stopped;
    }
    assert.equal((await first.status())!.state, 'succeeded', 'the running job finished in its grace');
    assert.deepEqual(started, [0]);
    for (const handle of held) {
      const job = (await handle.status())!;
      assert.equal(job.state, 'queued');
      assert.equal(job.attempt, 0);
      assert.equal(job.workerId, null);
    }
    const next = app.worker({ concurrency: 3 });
    await next.start();
    await Promise.all(held.map((handle) => handle.result({ timeout: '5s' })));
    await next.stop();
    await app.close();
  });

  it('never claims ahead for a rate-limited task, a concurrency-limited task or a queue with its own slots', async () => {
    const { backend, claims } = recordingStore();
    const app = createErrand({ backend, logger: recordingLogger() });
    const ran: string[] = [];
    const record = (name: string) => () => void ran.push(name);
    const limited = app.task('limited', record('limited'), { rateLimit: { max: 1_000, per: '1s' } });
    const capped = app.task('capped', record('capped'), { concurrencyLimit: 3 });
    const plain = app.task('plain', record('plain'));
    await limited.enqueueMany(Array.from({ length: 50 }, () => null));
    await capped.enqueueMany(Array.from({ length: 50 }, () => null));
    await plain.enqueueMany(
      Array.from({ length: 50 }, () => null),
      { queue: 'own' },
    );
    const worker = app.worker({
      concurrency: 4,
      prefetch: 50,
      queues: { own: 4, default: 4 },
      pollInterval: '20ms',
    });
    await worker.start();
    await waitFor(() => ran.length === 150, 'every job');
    await worker.stop();
    await app.close();
    assert.ok(claims.length > 0);
    for (const claim of claims)
      assert.ok(claim.limit <= 4, `a claim of ${claim.limit} for ${claim.tasks.join()}`);
  });

  it('rejects a prefetch that is not a whole number >= 0', () => {
    const app = createErrand({ backend: memoryBackend(), logger: recordingLogger() });
    assert.throws(
      () => app.worker({ prefetch: -1 }),
      /worker prefetch must be a whole number >= 0 \(got -1\)/,
    );
    assert.throws(() => app.worker({ prefetch: 1.5 }), /worker prefetch must be a whole number >= 0/);
  });
});
