import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonRetryableError, RetryAfterError } from '@errand/core';
import { createTestErrand } from '@errand/core/testing';

describe('retries', () => {
  it('follow a fixed backoff on the injected clock, then succeed', async () => {
    const { app, clock } = createTestErrand();
    let calls = 0;
    const flaky = app.task(
      'flaky',
      () => {
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
        return 'ok';
      },
      { retries: 3, backoff: { type: 'fixed', delay: '10s' } },
    );
    const handle = await flaky.enqueue({});
    const start = clock.now();

    assert.deepEqual(await app.drain(), { succeeded: 0, retried: 1, failed: 0 });
    let job = (await handle.status())!;
    assert.equal(job.state, 'scheduled');
    assert.equal(job.runAt.getTime(), start + 10_000);
    assert.deepEqual(
      await app.drain(),
      { succeeded: 0, retried: 0, failed: 0 },
      'not due before its backoff',
    );

    clock.advance('10s');
    assert.deepEqual(await app.drain(), { succeeded: 0, retried: 1, failed: 0 });
    clock.advance('10s');
    assert.deepEqual(await app.drain(), { succeeded: 1, retried: 0, failed: 0 });
    job = (await handle.status())!;
    assert.equal(job.state, 'succeeded');
    assert.equal(job.attempt, 3);
    assert.deepEqual(
      job.errors.map((error) => [error.attempt, error.message]),
      [
        [1, 'boom 1'],
        [2, 'boom 2'],
      ],
    );
    assert.equal(await handle.result(), 'ok');
  });

  it('grow exponentially without jitter when asked, up to the cap', async () => {
    const { app, clock } = createTestErrand();
    const failing = app.task(
      'always-fails',
      () => {
        throw new Error('nope');
      },
      { retries: 5, backoff: { type: 'exponential', base: '1s', factor: 2, max: '5s', jitter: 0 } },
    );
    const handle = await failing.enqueue(null);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const before = clock.now();
      await app.drain();
      const job = (await handle.status())!;
      waits.push(job.runAt.getTime() - before);
      clock.set(job.runAt);
    }
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 5_000, 5_000]);
    await app.drain();
    const job = (await handle.status())!;
    assert.equal(job.state, 'failed');
    assert.equal(job.attempt, 6, 'retries: 5 allows six attempts');
  });

  it('stop at once on NonRetryableError', async () => {
    const { app } = createTestErrand();
    const task = app.task(
      'charge-card',
      () => {
        throw new NonRetryableError('card declined');
      },
      { retries: 10 },
    );
    const handle = await task.enqueue({ amount: 5 });
    assert.deepEqual(await app.drain(), { succeeded: 0, retried: 0, failed: 1 });
    const job = (await handle.status())!;
    assert.equal(job.state, 'failed');
    assert.equal(job.attempt, 1);
    await assert.rejects(handle.result(), { name: 'JobFailedError', message: /card declined/ });
  });

  it('stop at once when retryIf says no', async () => {
    const { app } = createTestErrand();
    const task = app.task(
      'fetch-page',
      () => {
        throw Object.assign(new Error('404'), { status: 404 });
      },
      { retries: 10, retryIf: (error) => (error as Error & { status?: number }).status !== 404 },
    );
    const handle = await task.enqueue('https://example.test/missing');
    await app.drain();
    assert.equal((await handle.status())!.state, 'failed');
    assert.equal((await handle.status())!.attempt, 1);
  });

  it('wait as long as RetryAfterError says, not the backoff', async () => {
    const { app, clock } = createTestErrand();
    const task = app.task(
      'rate-limited',
      () => {
        throw new RetryAfterError('90s', 'provider said 429');
      },
      { backoff: { type: 'fixed', delay: '1s' } },
    );
    const handle = await task.enqueue(null);
    await app.drain();
    assert.equal((await handle.status())!.runAt.getTime(), clock.now() + 90_000);
  });

  it('record a thrown non-Error as a failure with its text', async () => {
    const { app } = createTestErrand();
    const task = app.task(
      'throws-string',
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: handlers may throw anything
        throw 'plain string';
      },
      { retries: 0 },
    );
    const handle = await task.enqueue(null);
    await app.drain();
    const job = (await handle.status())!;
    assert.equal(job.state, 'failed');
    assert.match(job.errors[0]!.message, /plain string/);
  });

  it('give a failed job one more attempt when an operator retries it', async () => {
    const { app } = createTestErrand();
    let fail = true;
    const task = app.task(
      'sometimes',
      () => {
        if (fail) throw new Error('down');
        return 42;
      },
      { retries: 0 },
    );
    const handle = await task.enqueue(null);
    await app.drain();
    assert.equal((await handle.status())!.state, 'failed');
    fail = false;
    assert.equal(await app.retry(handle.id), true);
    await app.drain();
    const job = (await handle.status())!;
    assert.equal(job.state, 'succeeded');
    assert.equal(job.attempt, 2);
    assert.equal(job.errors.length, 1, 'past errors are kept');
    assert.equal(await app.retry(handle.id), false, 'a succeeded job is not retried');
  });
});
