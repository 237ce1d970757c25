import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createErrand, JobFailedError } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { recordingLogger } from './recording-logger.ts';

describe('a task with keepSucceeded: false', () => {
  it('deletes each job as it succeeds, after its succeeded event, and keeps the ones that fail', async () => {
    const backend = memoryBackend();
    const app = createErrand({ backend, logger: recordingLogger() });
    const double = app.task(
      'double',
      (n: number) => {
        if (n < 0) throw new Error(`negative: ${n}`);
        return n * 2;
      },
      { keepSucceeded: false, retries: 0 },
    );
    const kept = app.task('kept', () => 'stays');
    const worker = app.worker();
    const outputs = new Map<string, unknown>();
    worker.on('succeeded', (job, result) => outputs.set(job.id, result));
    const handles = await double.enqueueMany([1, 2, 3]);
    const failing = await double.enqueue(-1);
    const keptHandle = await kept.enqueue(null);
    assert.deepEqual(await worker.drain(), { succeeded: 4, retried: 0, failed: 1 });
    assert.equal(await keptHandle.result({ timeout: '1s' }), 'stays');
    const failure = await failing.result({ timeout: '1s' }).catch((error: unknown) => error);
    assert.ok(failure instanceof JobFailedError, 'a failed job is kept, with its error');
    assert.deepEqual(
      handles.map((handle) => outputs.get(handle.id)),
      [2, 4, 6],
      'each success is still reported, with its output',
    );
    for (const handle of handles)
      assert.equal(await backend.get(handle.id), null, `job ${handle.id} is gone`);
    assert.equal(
      (await keptHandle.status())?.state,
      'succeeded',
      'a task that keeps succeeded jobs is unchanged',
    );
    const gone = await handles[0]!.result({ timeout: '1s' }).catch((error: unknown) => error);
    assert.ok(gone instanceof Error);
    assert.match(gone.message, /does not exist .*keepSucceeded: false/);
  });

  it('is checked when the task is defined', () => {
    const app = createErrand({ backend: memoryBackend(), logger: recordingLogger() });
    assert.throws(
      () => app.task('bad', () => null, { keepSucceeded: 'no' as unknown as boolean }),
      /task "bad" keepSucceeded must be true or false \(got "no"\)/,
    );
  });
});
