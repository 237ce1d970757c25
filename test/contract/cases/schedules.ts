import assert from 'node:assert/strict';

import type { NewJob } from '@errand/core';

import { jobCount, mustGet, newJob, NOW, scheduleDefinition, type ContractTest } from '../helpers.ts';

/** The job one tick of the `nightly-report` schedule enqueues. */
function tickJob(tick: number): NewJob {
  return newJob({ task: 'build-report', payload: '{"format":"pdf"}', runAt: tick, createdAt: tick });
}

const HOUR = 3_600_000;

export function scheduleCases(test: ContractTest): void {
  test('no schedule is recorded at first', async (backend) => {
    assert.deepEqual(await backend.listSchedules(), []);
  });

  test('recordSchedules records new schedules, never fired and not paused, listed in name order', async (backend) => {
    const nightly = scheduleDefinition();
    const cleanup = scheduleDefinition({
      name: 'cleanup',
      task: 'prune-uploads',
      spec: '{"every":"15m"}',
      payload: 'null',
    });
    await backend.recordSchedules([nightly, cleanup], NOW);
    assert.deepEqual(await backend.listSchedules(), [
      { ...cleanup, lastTickAt: null, paused: false, declaredAt: NOW },
      { ...nightly, lastTickAt: null, paused: false, declaredAt: NOW },
    ]);
  });

  test('re-declaring a schedule takes its new task, spec, payload and declaredAt, and keeps lastTickAt and paused', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    assert.notEqual(await backend.fireSchedule({ name: 'nightly-report', tick: NOW + HOUR, jobs: [] }), null);
    assert.equal(await backend.setSchedulePaused('nightly-report', true), true);
    const changed = scheduleDefinition({
      task: 'build-report-v2',
      spec: '{"cron":"0 4 * * *"}',
      payload: '{"format":"csv"}',
    });
    await backend.recordSchedules([changed], NOW + 2 * HOUR);
    assert.deepEqual(await backend.listSchedules(), [
      { ...changed, lastTickAt: NOW + HOUR, paused: true, declaredAt: NOW + 2 * HOUR },
    ]);
  });

  test('recordSchedules leaves the recorded schedules it is not given as they are', async (backend) => {
    await backend.recordSchedules([scheduleDefinition(), scheduleDefinition({ name: 'cleanup' })], NOW);
    await backend.fireSchedule({ name: 'cleanup', tick: NOW + HOUR, jobs: [] });
    await backend.recordSchedules([scheduleDefinition()], NOW + 2 * HOUR);
    await backend.recordSchedules([], NOW + 3 * HOUR);
    assert.deepEqual(
      (await backend.listSchedules()).map(({ name, lastTickAt, declaredAt }) => ({
        name,
        lastTickAt,
        declaredAt,
      })),
      [
        { name: 'cleanup', lastTickAt: NOW + HOUR, declaredAt: NOW },
        { name: 'nightly-report', lastTickAt: null, declaredAt: NOW + 2 * HOUR },
      ],
    );
  });

  test('fireSchedule sets lastTickAt and inserts the jobs, returning their ids', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    const tick = NOW + HOUR;
    const fired = await backend.fireSchedule({
      name: 'nightly-report',
      tick,
      jobs: [tickJob(tick), { ...tickJob(tick), queue: 'reports', concurrencyKey: 'report' }],
    });
    assert.ok(fired !== null, 'the first fire of a tick fires');
    assert.equal(fired.length, 2);
    const [first = '', second = ''] = fired;
    assert.ok(BigInt(first) < BigInt(second), 'ids in input order');
    const stored = await mustGet(backend, first);
    assert.deepEqual(
      { task: stored.task, payload: stored.payload, state: stored.state, runAt: stored.runAt },
      { task: 'build-report', payload: '{"format":"pdf"}', state: 'queued', runAt: tick },
    );
    const other = await mustGet(backend, second);
    assert.deepEqual([other.queue, other.concurrencyKey], ['reports', 'report']);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, tick);
  });

  test('fireSchedule with no jobs only moves lastTickAt', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    assert.deepEqual(await backend.fireSchedule({ name: 'nightly-report', tick: NOW, jobs: [] }), []);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, NOW);
    assert.equal(await jobCount(backend), 0);
  });

  test('fireSchedule refuses a tick already fired, and an earlier one, writing nothing', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    const tick = NOW + HOUR;
    assert.notEqual(
      await backend.fireSchedule({ name: 'nightly-report', tick, jobs: [tickJob(tick)] }),
      null,
    );
    assert.equal(await backend.fireSchedule({ name: 'nightly-report', tick, jobs: [tickJob(tick)] }), null);
    assert.equal(
      await backend.fireSchedule({ name: 'nightly-report', tick: tick - 1, jobs: [tickJob(tick - 1)] }),
      null,
    );
    assert.equal(await jobCount(backend), 1);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, tick);
  });

  test('fireSchedule fires each later tick', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    for (const tick of [NOW + HOUR, NOW + HOUR + 1, NOW + 5 * HOUR]) {
      assert.equal(
        (await backend.fireSchedule({ name: 'nightly-report', tick, jobs: [tickJob(tick)] }))?.length,
        1,
      );
    }
    assert.equal(await jobCount(backend), 3);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, NOW + 5 * HOUR);
  });

  test('fireSchedule refuses a paused schedule, and fires again once it is resumed', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    await backend.setSchedulePaused('nightly-report', true);
    assert.equal(
      await backend.fireSchedule({ name: 'nightly-report', tick: NOW, jobs: [tickJob(NOW)] }),
      null,
    );
    assert.equal(await jobCount(backend), 0);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, null);
    await backend.setSchedulePaused('nightly-report', false);
    assert.equal(
      (await backend.fireSchedule({ name: 'nightly-report', tick: NOW, jobs: [tickJob(NOW)] }))?.length,
      1,
    );
  });

  test('fireSchedule of a schedule never recorded returns null and inserts nothing', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    assert.equal(await backend.fireSchedule({ name: 'unknown', tick: NOW, jobs: [tickJob(NOW)] }), null);
    assert.equal(await jobCount(backend), 0);
    assert.deepEqual(
      (await backend.listSchedules()).map((schedule) => schedule.name),
      ['nightly-report'],
    );
  });

  test('a tick with a job the store rejects fires nothing, lastTickAt included', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    const broken = { ...tickJob(NOW), task: null } as unknown as NewJob;
    await assert.rejects(
      backend.fireSchedule({ name: 'nightly-report', tick: NOW, jobs: [tickJob(NOW), broken] }),
    );
    assert.equal(await jobCount(backend), 0);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, null);
    assert.equal(
      (await backend.fireSchedule({ name: 'nightly-report', tick: NOW, jobs: [tickJob(NOW)] }))?.length,
      1,
    );
  });

  test('setSchedulePaused pauses and resumes a recorded schedule and returns true', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    assert.equal(await backend.setSchedulePaused('nightly-report', true), true);
    assert.equal((await backend.listSchedules())[0]?.paused, true);
    assert.equal(await backend.setSchedulePaused('nightly-report', true), true, 'pausing twice is harmless');
    assert.equal(await backend.setSchedulePaused('nightly-report', false), true);
    assert.equal((await backend.listSchedules())[0]?.paused, false);
  });

  test('setSchedulePaused returns false for a schedule never recorded, and records nothing', async (backend) => {
    assert.equal(await backend.setSchedulePaused('unknown', true), false);
    assert.deepEqual(await backend.listSchedules(), []);
  });

  test('concurrent fires of one tick: exactly one fires, and its jobs are inserted once', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    const tick = NOW + HOUR;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        backend.fireSchedule({ name: 'nightly-report', tick, jobs: [tickJob(tick), tickJob(tick)] }),
      ),
    );
    const fired = results.filter((result) => result !== null);
    assert.equal(fired.length, 1, 'exactly one fire of the tick wins');
    assert.equal(fired[0]?.length, 2);
    assert.equal(await jobCount(backend), 2);
  });

  test('concurrent fires of different ticks: the latest always fires, and none fires twice', async (backend) => {
    await backend.recordSchedules([scheduleDefinition()], NOW);
    const ticks = Array.from({ length: 10 }, (_, n) => NOW + n * HOUR);
    const results = await Promise.all(
      [...ticks, ...ticks].map((tick) =>
        backend.fireSchedule({ name: 'nightly-report', tick, jobs: [tickJob(tick)] }),
      ),
    );
    const firedTicks = [...ticks, ...ticks].filter((_, n) => results[n] !== null);
    assert.equal(new Set(firedTicks).size, firedTicks.length, 'a tick fired twice');
    assert.ok(firedTicks.includes(NOW + 9 * HOUR), 'the latest tick fires');
    assert.equal(await jobCount(backend), firedTicks.length);
    assert.equal((await backend.listSchedules())[0]?.lastTickAt, NOW + 9 * HOUR);
  });
}
