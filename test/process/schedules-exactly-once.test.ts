// Five worker processes fire one fast schedule: each tick is claimed in the store, so every tick
// between the first and the last is enqueued exactly once, and each of its jobs runs exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleLogger, createErrand, type Errand, type Job } from '@errand/core';
import { TICK_MS } from './fixtures/flow-tasks.ts';
import { readRecords, spawnFixture, stopAll, tempStore, waitFor, type Fixture } from './flow-helpers.ts';

const PROCESSES = 5;
const TICKS = 200;

async function allJobs(app: Errand): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let page = await app.jobs({ limit: 500 }); ;) {
    jobs.push(...page.jobs);
    if (page.next === null) return jobs;
    page = await app.jobs({ limit: 500, before: page.next });
  }
}

const total = async (app: Errand) => (await app.stats()).reduce((sum, group) => sum + group.count, 0);

test(`${PROCESSES} worker processes fire each tick of a ${TICK_MS} ms schedule exactly once`, async (t) => {
  const store = tempStore();
  const app = createErrand({ backend: store.url, logger: consoleLogger('warn') });
  const workers: Fixture[] = [];
  try {
    await app.storage(); // the tables exist before the workers race to open the file
    // The schedule (fixtures/flow-worker.ts) has catchUp: 1000. With the default (0), a tick more than its
    // grace late (1 s at this period) counts as missed and is skipped, and firing the next tick moves
    // the schedule's last tick past it for every process. On a busy machine all five processes and
    // their SQLite writes can stall that long at once: the skip is by design, but it would fail the
    // "consecutive" check below for a reason other than a lost or doubled claim. Catching up, a late
    // tick is fired late instead, so this test checks exactly-once, not punctuality.
    workers.push(
      ...Array.from({ length: PROCESSES }, () => spawnFixture('flow-worker', ['schedule'], store)),
    );
    await Promise.all(workers.map((worker) => worker.printed('ready')));
    const before = await total(app);
    await waitFor(`${TICKS} ticks with every process up`, async () => (await total(app)) >= before + TICKS, {
      timeoutMs: 30_000,
    });
    // Stop the ticks (fireSchedule refuses a paused schedule atomically), let the workers run every
    // job fired, then stop them.
    assert.equal(await app.pauseSchedule('fast'), true);
    await waitFor('every fired job to run', async () =>
      (await app.stats()).every((group) => group.state === 'succeeded'),
    );
    await stopAll(workers.splice(0));

    const jobs = await allJobs(app);
    const ticks = jobs.map((job) => job.runAt.getTime()).sort((a, b) => a - b);
    assert.ok(ticks.length >= TICKS, `only ${ticks.length} ticks`);
    assert.equal(new Set(ticks).size, ticks.length, 'a tick was enqueued twice');
    assert.ok(
      ticks.every((tick) => tick % TICK_MS === 0),
      'every job is due at a tick',
    );
    const gaps = ticks.slice(1).map((tick, index) => tick - ticks[index]!);
    const holes = gaps.filter((gap) => gap !== TICK_MS);
    assert.deepEqual(holes, [], 'ticks between the first and the last are all there');
    assert.equal((await app.schedules())[0]!.lastRunAt!.getTime(), ticks.at(-1));

    const records = readRecords<{ job?: string; fired?: number; late?: number; pid: number }>(store);
    const runs = records.flatMap((event) => (event.job === undefined ? [] : [event.job]));
    assert.equal(runs.length, jobs.length, 'each job ran exactly once');
    assert.deepEqual(new Set(runs), new Set(jobs.map((job) => job.id)));
    const fired = records.filter((event) => event.fired !== undefined);
    assert.deepEqual(
      fired.map((event) => event.fired).sort((a, b) => a! - b!),
      ticks,
      'each tick was won by one process',
    );
    const firedByProcess = new Map<number, number>();
    for (const { pid } of fired) firedByProcess.set(pid, (firedByProcess.get(pid) ?? 0) + 1);
    assert.ok(
      firedByProcess.size >= 2,
      `one process fired every tick: no race (${[...firedByProcess.values()].join(', ')})`,
    );
    const late = fired.map((event) => event.late!).sort((a, b) => a - b);
    t.diagnostic(
      `${ticks.length} ticks; won per process: ${[...firedByProcess.values()].join(', ')}; ` +
        `fired late by median ${late[late.length >> 1]} ms, max ${late.at(-1)} ms`,
    );
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await app.close();
    store.remove();
  }
});
