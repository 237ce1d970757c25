import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand, JobCancelledError, JobFailedError, type Errand } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { recordingLogger } from './recording-logger.ts';

function memoryApp(): { app: Errand; lines: string[] } {
  const logger = recordingLogger();
  return { app: createErrand({ backend: memoryBackend(), logger }), lines: logger.lines };
}

async function until(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('a worker in the same process', () => {
  it('starts a new job within 50 ms of its enqueue, though it polls only every 200 ms', async () => {
    const { app } = memoryApp();
    const started = new Map<string, number>();
    const ping = app.task('ping', (_input: null, ctx) => void started.set(ctx.jobId, performance.now()));
    const worker = app.worker({ pollInterval: '200ms' });
    await worker.start();
    const delays: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        await sleep(30); // let the worker go idle between jobs
        const before = performance.now();
        const handle = await ping.enqueue(null);
        await handle.result({ timeout: '2s' });
        delays.push(started.get(handle.id)! - before);
      }
    } finally {
      await worker.stop();
    }
    assert.ok(Math.max(...delays) < 50, `start delays (ms): ${delays.map((d) => d.toFixed(1)).join(', ')}`);
  });

  it('hands result() the typed output, or the final error', async () => {
    const { app } = memoryApp();
    const add = app.task('add', ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
    const fail = app.task(
      'fail',
      () => {
        throw new Error('kaput');
      },
      { retries: 1, backoff: { type: 'fixed', delay: 0 } },
    );
    const worker = app.worker();
    await worker.start();
    try {
      const sum: { sum: number } = await (await add.enqueue({ a: 2, b: 3 })).result({ timeout: '2s' });
      assert.deepEqual(sum, { sum: 5 });
      const failure = await (
        await fail.enqueue(null)
      )
        .result({ timeout: '2s' })
        .catch((error: unknown) => error);
      assert.ok(failure instanceof JobFailedError);
      assert.deepEqual(
        failure.attempts.map((attempt) => attempt.message),
        ['kaput', 'kaput'],
      );
    } finally {
      await worker.stop();
    }
  });

  it('claims only tasks it implements, leaving others queued for a worker that has them', async () => {
    const { app } = memoryApp();
    const known = app.task('known', () => 'done');
    const unknown = app.declare('deployed-later');
    const worker = app.worker();
    await worker.start();
    try {
      const other = await unknown.enqueue(null);
      assert.equal(await (await known.enqueue(null)).result({ timeout: '2s' }), 'done');
      await sleep(250);
      assert.equal((await other.status())!.state, 'queued');
    } finally {
      await worker.stop();
    }
  });

  it('emits started, retrying, succeeded and failed with the job', async () => {
    const { app } = memoryApp();
    let calls = 0;
    const task = app.task(
      'eventful',
      (mode: string) => {
        if (mode === 'fail' || calls++ === 0) throw new Error(`no (${mode})`);
        return mode;
      },
      { retries: 1, backoff: { type: 'fixed', delay: 0 } },
    );
    const seen: string[] = [];
    const worker = app.worker({ concurrency: 1 });
    worker.on('started', (job) => seen.push(`started ${String(job.input)} #${job.attempt}`));
    worker.on('retrying', (job, error) => seen.push(`retrying ${String(job.input)}: ${error.message}`));
    worker.on('succeeded', (job, result) => seen.push(`succeeded ${String(job.input)} -> ${String(result)}`));
    worker.on('failed', (job, error) => seen.push(`failed ${String(job.input)}: ${error.message}`));
    await worker.start();
    try {
      await (await task.enqueue('ok')).result({ timeout: '2s' });
      await (await task.enqueue('fail')).result({ timeout: '2s' }).catch(() => undefined);
    } finally {
      await worker.stop();
    }
    assert.deepEqual(seen, [
      'started ok #1',
      'retrying ok: no (ok)',
      'started ok #2',
      'succeeded ok -> ok',
      'started fail #1',
      'retrying fail: no (fail)',
      'started fail #2',
      'failed fail: no (fail)',
    ]);
  });

  it('records progress that status() shows while the job runs', async () => {
    const { app } = memoryApp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const exporter = app.task('export', async (_: null, ctx) => {
      await ctx.progress({ rows: 10, of: 100 });
      await gate;
      await ctx.progress({ rows: 100, of: 100 });
      return 'file.csv';
    });
    const worker = app.worker({ progressInterval: '20ms' });
    await worker.start();
    try {
      const handle = await exporter.enqueue(null);
      await until(async () => (await handle.status())?.progress !== undefined, 'first progress');
      assert.deepEqual((await handle.status())!.progress, { rows: 10, of: 100 });
      release();
      assert.equal(await handle.result({ timeout: '2s' }), 'file.csv');
      await until(
        async () => JSON.stringify((await handle.status())!.progress) === '{"rows":100,"of":100}',
        'final progress',
      );
    } finally {
      await worker.stop();
    }
  });

  it('cancels a job that has not started; result() then rejects', async () => {
    const { app } = memoryApp();
    const task = app.declare('never-runs');
    const handle = await task.enqueue(null, { delay: '1h' });
    assert.equal(await handle.cancel(), true);
    assert.equal((await handle.status())!.state, 'cancelled');
    await assert.rejects(handle.result({ timeout: '1s' }), JobCancelledError);
    assert.equal(await handle.cancel(), false, 'already cancelled');
  });

  it('fails a job whose stored input is corrupt, with a clear error, and goes on', async () => {
    const { app } = memoryApp();
    const echo = app.task('echo', (input: unknown) => input);
    const backend = await app.storage();
    const [corruptId] = await backend.insert([
      {
        task: 'echo',
        queue: 'default',
        state: 'queued',
        priority: 0,
        payload: 'not json{',
        maxAttempts: 3,
        runAt: Date.now(),
        createdAt: Date.now(),
      },
    ]);
    const worker = app.worker();
    await worker.start();
    try {
      await assert.rejects(app.job(corruptId!).result({ timeout: '2s' }), {
        message: /stored input is not valid JSON/,
      });
      assert.equal(
        (await app.job(corruptId!).status())!.attempt,
        1,
        'not retried: it would fail the same way',
      );
      assert.equal(await (await echo.enqueue('fine')).result({ timeout: '2s' }), 'fine');
    } finally {
      await worker.stop();
    }
  });

  it('takes handlers of every shape: plain value, thrown error, promise, thenable, a context taken apart', async () => {
    const { app } = memoryApp();
    const plain = app.task('plain', (n: number) => n * 2);
    const throws = app.task(
      'throws',
      (_input: null) => {
        throw new Error('thrown before any await');
      },
      { retries: 0 },
    );
    const promised = app.task('promised', async (n: number) => {
      await sleep(5);
      return n + 1;
    });
    // A thenable that is not a Promise, as some query builders return.
    const thenable = app.task('thenable', (n: number): PromiseLike<number> => ({
      then(onFulfilled, onRejected) {
        return new Promise<number>((resolve) => setTimeout(() => resolve(n * 10), 5)).then(
          onFulfilled,
          onRejected,
        );
      },
    }));
    const reported: unknown[] = [];
    const destructured = app.task('destructured', async (_input: null, { progress, signal, jobId }) => {
      await progress(0.5);
      reported.push(0.5);
      return { aborted: signal.aborted, jobId };
    });
    const worker = app.worker();
    await worker.start();
    try {
      assert.equal(await (await plain.enqueue(21)).result({ timeout: '2s' }), 42);
      await assert.rejects((await throws.enqueue(null)).result({ timeout: '2s' }), {
        message: /thrown before any await/,
      });
      assert.equal(await (await promised.enqueue(1)).result({ timeout: '2s' }), 2);
      assert.equal(await (await thenable.enqueue(3)).result({ timeout: '2s' }), 30);
      const handle = await destructured.enqueue(null);
      assert.deepEqual(await handle.result({ timeout: '2s' }), { aborted: false, jobId: handle.id });
      assert.deepEqual(reported, [0.5]);
      assert.equal((await handle.status())!.progress, 0.5);
    } finally {
      await worker.stop();
    }
  });
});

describe('timeouts', () => {
  it('abort the signal, record the attempt as timed out, and free the slot even if the handler ignores it', async () => {
    const { app } = memoryApp();
    let sawAbort = false;
    const stubborn = app.task(
      'stubborn',
      async (_: null, ctx) => {
        ctx.signal.addEventListener('abort', () => (sawAbort = true));
        await new Promise(() => undefined); // never settles, ignores the signal
      },
      { timeout: '100ms', retries: 0 },
    );
    const quick = app.task('quick', () => 'ran');
    const worker = app.worker({ concurrency: 1 });
    await worker.start();
    try {
      const stuck = await stubborn.enqueue(null);
      await assert.rejects(stuck.result({ timeout: '2s' }), { message: /timed out after 100 ms/ });
      assert.equal((await stuck.status())!.errors[0]!.name, 'JobTimeoutError');
      assert.ok(sawAbort);
      assert.equal(
        await (await quick.enqueue(null)).result({ timeout: '2s' }),
        'ran',
        'the only slot is free again',
      );
    } finally {
      await worker.stop({ grace: 0 });
    }
  });
});

describe('stopping a worker', () => {
  it('lets jobs finish within the grace period', async () => {
    const { app } = memoryApp();
    const task = app.task('short', async () => {
      await sleep(100);
      return 'finished';
    });
    const worker = app.worker();
    await worker.start();
    const handle = await task.enqueue(null);
    await until(async () => (await handle.status())!.state === 'running', 'job start');
    await worker.stop({ grace: '2s' });
    assert.equal((await handle.status())!.state, 'succeeded');
  });

  it('aborts jobs past the grace period and hands them back at once, the attempt not counted', async () => {
    const { app } = memoryApp();
    let aborted = false;
    const task = app.task('long', async (_: null, ctx) => {
      await once(ctx.signal, 'abort');
      aborted = true;
      await sleep(1_000); // even a slow reaction to the abort does not hold the shutdown
    });
    const worker = app.worker({ lease: '30s' });
    await worker.start();
    const handle = await task.enqueue(null);
    await until(async () => (await handle.status())!.state === 'running', 'job start');
    const stopStarted = performance.now();
    await worker.stop({ grace: '100ms' });
    assert.ok(performance.now() - stopStarted < 900, 'stop does not wait for the handler after the grace');
    assert.ok(aborted);
    const job = (await handle.status())!;
    assert.equal(job.state, 'queued');
    assert.equal(job.attempt, 0);
    assert.equal(job.workerId, null);
  });
});

describe('leases', () => {
  it('a worker that lost its lease has its signal aborted and its late outcome rejected', async () => {
    const { app, lines } = memoryApp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let abortReason: unknown;
    const task = app.task('slow', async (_: null, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        abortReason = ctx.signal.reason as unknown;
      });
      await gate;
      return 'late';
    });
    const worker = app.worker({ lease: '300ms' });
    await worker.start();
    try {
      const handle = await task.enqueue(null);
      await until(async () => (await handle.status())!.state === 'running', 'job start');
      // Another node rescued the job (as if this worker had been frozen) and scheduled it far ahead.
      const backend = await app.storage();
      const running = (await backend.get(handle.id))!;
      await backend.transition([
        {
          id: handle.id,
          from: ['running'],
          leaseToken: running.leaseToken!,
          to: 'scheduled',
          runAt: Date.now() + 3_600_000,
        },
      ]);
      await until(() => abortReason !== undefined, 'abort after the heartbeat noticed');
      assert.match(String(abortReason), /lease lost/);
      release();
      await sleep(50);
      const job = (await handle.status())!;
      assert.equal(job.state, 'scheduled', 'the late success did not overwrite the newer state');
      assert.equal(job.result, undefined);
      assert.ok(lines.some((line) => /lease lost/.test(line)));
    } finally {
      await worker.stop({ grace: 0 });
    }
  });
});
