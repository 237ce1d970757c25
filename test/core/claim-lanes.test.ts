import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand, type Backend } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { recordingLogger } from './recording-logger.ts';
import { slowCalls } from './slow-calls.ts';

/** A memory store that takes `delayMs` per claim, as a round trip would, and counts claims in flight. */
function slowClaimStore(options: { overlapClaims: boolean; delayMs: number }) {
  const backend: Backend = Object.assign(memoryBackend(), { overlapClaims: options.overlapClaims });
  return { backend, stats: slowCalls(backend, 'claim', options.delayMs) };
}

describe('claim lanes', () => {
  it('keep two claims in flight when the backend says overlapping pays, and run every job once', async () => {
    for (const overlapClaims of [true, false]) {
      const { backend, stats } = slowClaimStore({ overlapClaims, delayMs: 5 });
      const app = createErrand({ backend, logger: recordingLogger() });
      const runs = new Map<number, number>();
      const noop = app.task('noop', (n: number) => void runs.set(n, (runs.get(n) ?? 0) + 1));
      await noop.enqueueMany(Array.from({ length: 2_000 }, (_, n) => n));
      const worker = app.worker({ concurrency: 100, pollInterval: '50ms' });
      await worker.start();
      while (runs.size < 2_000) await sleep(10);
      await worker.stop();
      assert.equal(stats.maxInFlight, overlapClaims ? 2 : 1, `overlapClaims: ${overlapClaims}`);
      assert.ok(
        [...runs.values()].every((count) => count === 1),
        'a job ran twice',
      );
      await app.close();
    }
  });

  it('never run more of a queue than its slots, though two lanes claim at once', async () => {
    // The lanes race only now and then: a few rounds make a slip all but certain to show.
    for (let round = 0; round < 4; round++) {
      const { backend } = slowClaimStore({ overlapClaims: true, delayMs: 5 });
      const app = createErrand({ backend, logger: recordingLogger() });
      const running = new Map<string, number>();
      const most = new Map<string, number>();
      let done = 0;
      const hold = app.task('hold', async (queue: string) => {
        running.set(queue, (running.get(queue) ?? 0) + 1);
        most.set(queue, Math.max(most.get(queue) ?? 0, running.get(queue)!));
        await sleep(Math.random() * 4);
        running.set(queue, running.get(queue)! - 1);
        done++;
      });
      await hold.enqueueMany(
        Array.from({ length: 600 }, () => 'narrow'),
        { queue: 'narrow' },
      );
      await hold.enqueueMany(
        Array.from({ length: 600 }, () => 'wide'),
        { queue: 'wide' },
      );
      const worker = app.worker({ queues: { narrow: 7, wide: 40 }, concurrency: 47, pollInterval: '20ms' });
      await worker.start();
      while (done < 1_200) await sleep(10);
      await worker.stop();
      assert.ok(most.get('narrow')! <= 7, `narrow ran ${most.get('narrow')} at once, over its 7 slots`);
      assert.ok(most.get('wide')! <= 40, `wide ran ${most.get('wide')} at once, over its 40 slots`);
      await app.close();
    }
  });

  it('cost an idle worker no more claims than one lane', async () => {
    const { backend, stats } = slowClaimStore({ overlapClaims: true, delayMs: 1 });
    const app = createErrand({ backend, logger: recordingLogger() });
    app.task('noop', () => null);
    const worker = app.worker({ concurrency: 100, pollInterval: '100ms' });
    await worker.start();
    const before = stats.calls.length;
    await sleep(1_000);
    const idleClaims = stats.calls.length - before;
    await worker.stop();
    // One poll every 100 ms is about 10 claims; two lanes polling would make about 20.
    assert.ok(idleClaims <= 13, `${idleClaims} claims in 1 s of idling`);
    await app.close();
  });
});
