import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrand } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { createTestErrand } from '@errand/core/testing';
import { recordingLogger } from './recording-logger.ts';

const MINUTE = 60_000;

describe('schedules', () => {
  it('fire a cron tick in its time zone, across a daylight-saving change', async () => {
    const { app, clock } = createTestErrand();
    const reports: string[] = [];
    const nightly = app.task('nightly-report', (_: null, ctx) => void reports.push(ctx.jobId));
    clock.set(Date.parse('2026-03-28T12:00:00Z'));
    app.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Paris' }, nightly, null);
    clock.set(Date.parse('2026-03-29T01:00:30Z')); // 03:00:30 in Paris, the night clocks go forward
    assert.equal((await app.drain()).succeeded, 1);
    const [job] = (await app.jobs({ task: 'nightly-report' })).jobs;
    assert.equal(job!.runAt.toISOString(), '2026-03-29T01:00:00.000Z', 'due at its tick');
    assert.equal((await app.drain()).succeeded, 0, 'a tick fires once');
    const [schedule] = await app.schedules();
    assert.equal(schedule!.nextRunAt!.toISOString(), '2026-03-30T01:00:00.000Z');
    assert.equal(schedule!.lastRunAt!.toISOString(), '2026-03-29T01:00:00.000Z');
  });

  it('skip ticks missed during downtime by default', async () => {
    const { app, clock } = createTestErrand();
    const ping = app.task('ping', () => undefined);
    app.schedule('every-minute', { every: '1m' }, ping);
    clock.advance(30 * MINUTE + 10_000); // workers were down for half an hour
    assert.equal((await app.drain()).succeeded, 1, 'only the tick that is on time');
  });

  it('catch up a bounded number of missed ticks when asked, oldest first', async () => {
    const { app, clock } = createTestErrand();
    const ping = app.task('ping', () => undefined);
    const start = clock.now();
    app.schedule('every-minute', { every: '1m' }, ping, undefined, { catchUp: 3 });
    clock.advance(30 * MINUTE + 10_000);
    assert.equal((await app.drain()).succeeded, 4, 'three missed ticks and the one on time');
    const runAts = (await app.jobs({ task: 'ping' })).jobs.map((job) => job.runAt.getTime()).sort();
    const lastTick = Math.floor((start + 30 * MINUTE + 10_000) / MINUTE) * MINUTE;
    assert.deepEqual(runAts, [lastTick - 3 * MINUTE, lastTick - 2 * MINUTE, lastTick - MINUTE, lastTick]);
  });

  it('pause and resume', async () => {
    const { app, clock } = createTestErrand();
    const ping = app.task('ping', () => undefined);
    app.schedule('every-minute', { every: '1m' }, ping);
    await app.drain(); // records the schedule
    assert.equal(await app.pauseSchedule('every-minute'), true);
    clock.advance('1m');
    assert.equal((await app.drain()).succeeded, 0);
    assert.equal((await app.schedules())[0]!.nextRunAt, null);
    assert.equal(await app.resumeSchedule('every-minute'), true);
    clock.advance('1m');
    assert.equal((await app.drain()).succeeded, 1);
    assert.equal(await app.pauseSchedule('no-such-schedule'), false);
  });

  it('refuse a bad cron or time zone with a message naming the schedule', () => {
    const { app } = createTestErrand();
    const ping = app.task('ping', () => undefined);
    assert.throws(
      () => app.schedule('bad', { cron: '61 * * * *' }, ping),
      /schedule "bad" cron "61 \* \* \* \*"/,
    );
    assert.throws(
      () => app.schedule('tz', { cron: '0 3 * * *', tz: 'Mars/Olympus' }, ping),
      /not an IANA time zone/,
    );
    assert.throws(() => app.schedule('fast', { every: '1ms' }, ping), /at least 10 ms/);
  });

  it('fire each tick exactly once with several workers firing at once', async () => {
    const backend = memoryBackend();
    const apps = [1, 2, 3].map(() => createErrand({ backend, logger: recordingLogger() }));
    for (const app of apps) {
      const tick = app.task('tick', () => undefined);
      app.schedule('fast', { every: '20ms' }, tick);
    }
    const workers = apps.map((app) => app.worker());
    await Promise.all(workers.map((worker) => worker.start()));
    await sleep(1_500);
    await Promise.all(workers.map((worker) => worker.stop()));
    const runAts: number[] = [];
    for (let page = await apps[0]!.jobs({ limit: 500 }); ;) {
      runAts.push(...page.jobs.map((job) => job.runAt.getTime()));
      if (!page.next) break;
      page = await apps[0]!.jobs({ limit: 500, before: page.next });
    }
    runAts.sort((a, b) => a - b);
    assert.ok(runAts.length >= 40, `only ${runAts.length} ticks in 1.5 s`);
    assert.equal(new Set(runAts).size, runAts.length, 'no tick enqueued twice');
    const gaps = runAts.slice(1).map((at, index) => at - runAts[index]!);
    assert.ok(
      gaps.every((gap) => gap === 20),
      `ticks are consecutive: ${gaps.filter((gap) => gap !== 20).join(', ')}`,
    );
  });
});
