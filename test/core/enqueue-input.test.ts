import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createTestErrand } from '@errand/core/testing';

async function countJobs(app: ReturnType<typeof createTestErrand>['app']): Promise<number> {
  return (await app.stats()).reduce((sum, group) => sum + group.count, 0);
}

describe('enqueue refuses input JSON cannot carry faithfully, and writes nothing', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a function', { callback: () => 1 }, /input\.callback is a function/],
    ['a BigInt', { amount: 10n }, /input\.amount is a BigInt/],
    [
      'a cycle',
      (() => {
        const node: Record<string, unknown> = {};
        node.self = node;
        return node;
      })(),
      /input\.self refers back to itself/,
    ],
    ['undefined in an array', { tags: ['a', undefined] }, /input\.tags\[1\] is undefined/],
    ['a sparse array', { tags: [, 'b'] }, /input\.tags\[0\] is a hole/], // eslint-disable-line no-sparse-arrays -- the case under test
    ['NaN', { ratio: Number.NaN }, /input\.ratio must be a finite number/],
    ['a Date', { when: new Date(0) }, /input\.when is a Date \(pass date\.toISOString\(\)\)/],
    ['a Map', { lookup: new Map() }, /input\.lookup is a Map instance/],
  ];
  for (const [what, input, message] of cases) {
    it(`refuses ${what}`, async () => {
      const { app } = createTestErrand();
      const task = app.declare<unknown>('store-it');
      await assert.rejects(task.enqueue(input), { name: 'PayloadError', message });
      assert.equal(await countJobs(app), 0);
    });
  }

  it('names the task in the message', async () => {
    const { app } = createTestErrand();
    const task = app.declare<unknown>('send-email');
    await assert.rejects(task.enqueue({ to: 1n }), { message: /^Task "send-email" input\.to is a BigInt/ });
  });

  it('refuses a payload over the size limit', async () => {
    const { app } = createTestErrand({ maxPayloadBytes: 1_000 });
    const task = app.declare<string>('big');
    await assert.rejects(task.enqueue('x'.repeat(2_000)), { message: /over the limit of 1000/ });
    assert.equal(await countJobs(app), 0);
  });

  it('refuses a whole batch when one input is bad', async () => {
    const { app } = createTestErrand();
    const task = app.declare<unknown>('batch');
    await assert.rejects(task.enqueueMany([{ ok: 1 }, { bad: () => 0 }, { ok: 3 }]), {
      message: /input #1\.bad is a function/,
    });
    assert.equal(await countJobs(app), 0);
  });

  it('validates with a Standard Schema and names the field', async () => {
    const { app } = createTestErrand();
    const sendEmail = app.declare('send-email', {
      input: z.object({ to: z.string().email(), subject: z.string() }),
    });
    await assert.rejects(sendEmail.enqueue({ to: 42 as unknown as string, subject: 'hi' }), {
      name: 'InputValidationError',
      message: /^Task "send-email" input: "to" .*string/,
    });
    assert.equal(await countJobs(app), 0);
    const handle = await sendEmail.enqueue({ to: 'a@example.com', subject: 'hi' });
    assert.equal((await handle.status())!.state, 'queued');
  });

  it('refuses bad options with a message saying how to fix them', async () => {
    const { app } = createTestErrand();
    const task = app.declare<null>('opts');
    await assert.rejects(task.enqueue(null, { delay: '5 minutes' as '5m' }), {
      message: /delay must be milliseconds or a string like/,
    });
    await assert.rejects(task.enqueue(null, { priority: 1.5 }), { message: /priority must be an integer/ });
    await assert.rejects(task.enqueue(null, { queue: 'has space' }), {
      message: /queue must be 1-128 characters/,
    });
    assert.throws(() => app.declare('bad name!'), /task name "bad name!" must be/);
    assert.throws(() => app.declare('x', { retries: -1 }), /retries must be a whole number >= 0/);
  });
});

describe('enqueue', () => {
  it('keeps inputs intact through the store, in order, for a batch', async () => {
    const { app } = createTestErrand();
    const task = app.declare<{ n: number; text: string; nested: { list: unknown[] } }>('echo');
    const inputs = [1, 2, 3].map((n) => ({ n, text: `é ${n} \u2028`, nested: { list: [null, true, 'x'] } }));
    const handles = await task.enqueueMany(inputs);
    const stored = await Promise.all(handles.map(async (handle) => (await handle.status())!.input));
    assert.deepEqual(stored, inputs);
    assert.deepEqual(
      handles.map((handle) => Number(handle.id)),
      [...handles.map((handle) => Number(handle.id))].sort((a, b) => a - b),
    );
  });

  it('holds a delayed job until its time', async () => {
    const { app, clock } = createTestErrand();
    let ran = 0;
    const task = app.task('later', () => void ran++);
    const handle = await task.enqueue(null, { delay: '1h' });
    assert.equal((await handle.status())!.state, 'scheduled');
    await app.drain();
    clock.advance('59m');
    await app.drain();
    assert.equal(ran, 0);
    clock.advance('1m');
    await app.drain();
    assert.equal(ran, 1);
    const atHandle = await task.enqueue(null, { runAt: new Date(clock.now() + 5_000) });
    await app.drain();
    assert.equal((await atHandle.status())!.state, 'scheduled');
  });

  it('runs higher priority (lower number) first', async () => {
    const { app } = createTestErrand();
    const order: string[] = [];
    const task = app.task('record', (name: string) => void order.push(name));
    await task.enqueue('low', { priority: 5 });
    await task.enqueue('normal');
    await task.enqueue('urgent', { priority: -1 });
    await app.drain({ concurrency: 1 });
    assert.deepEqual(order, ['urgent', 'normal', 'low']);
  });
});
