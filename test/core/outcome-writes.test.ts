import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { recordingLogger } from './recording-logger.ts';
import { slowCalls } from './slow-calls.ts';

describe('outcome writes', () => {
  it('keep at most two writes in flight; outcomes that gather meanwhile go in one write', async () => {
    const backend = memoryBackend();
    const stats = slowCalls(backend, 'transition', 20);
    const sizes = () => stats.calls.map((changes) => changes.length);
    const app = createErrand({ backend, logger: recordingLogger() });
    const runs = new Map<number, number>();
    const noop = app.task('noop', (n: number) => void runs.set(n, (runs.get(n) ?? 0) + 1));
    await noop.enqueueMany(Array.from({ length: 3_000 }, (_, n) => n));
    let succeeded = 0;
    const worker = app.worker({ concurrency: 100, prefetch: 400 });
    worker.on('succeeded', () => succeeded++);
    await worker.start();
    while (succeeded < 3_000) await sleep(10);
    await worker.stop();

    assert.equal(stats.maxInFlight, 2);
    assert.equal(
      sizes().reduce((sum, size) => sum + size, 0),
      3_000,
      'each outcome is written once',
    );
    // Without the cap every 100 outcomes (the batch size at concurrency 100) would be a write of their own.
    assert.ok(
      sizes().some((size) => size > 100),
      `outcomes that waited for a write to come back went together: ${sizes().join(', ')}`,
    );
    assert.ok([...runs.values()].every((count) => count === 1) && runs.size === 3_000);
    const counts = await app.stats();
    assert.deepEqual(
      counts.filter((group) => group.state !== 'succeeded').map((group) => group.count),
      [],
    );
  });
});
